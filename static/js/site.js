// Behaviour shared by every page; no inline handlers, so the Content-Security-Policy needs no
// 'unsafe-inline' for scripts.
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit") && target.form) {
    target.form.submit();
  }
});
