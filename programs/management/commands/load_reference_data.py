from django.core.management.base import BaseCommand

from programs import reference_data


class Command(BaseCommand):
    help = "Loads the provinces and the 5+2 regions (idempotent)."

    def handle(self, *args, **options):
        reference_data.load()
        self.stdout.write(self.style.SUCCESS("Reference data loaded."))
