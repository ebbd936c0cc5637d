/* Applicant portal: row editors and the budget plan's live totals and matching ratios.
 *
 * Row editors ([data-row-editor]) hold a Django formset: rows are added from a <template>
 * and removed in place, then every row is renumbered so the posted indices are 0..n-1 and
 * the server's errors ("rows.3.year") name the row the user sees. Nothing typed elsewhere
 * is touched.
 *
 * The budget's ratios use the same exact integer test as MatchingRule.holds on the server
 * (numerator × 10000 against basis points × base), in BigInt: amounts of thousands of
 * billions of won times 10000 do not fit a double. The server's check stays authoritative.
 */
(function () {
  "use strict";

  var FIELDS = ["national_krw", "local_cash_krw", "private_cash_krw", "private_in_kind_krw"];
  var EOK = BigInt(100000000);
  var MAN = BigInt(10000);
  var ZERO = BigInt(0);

  function group(n) {
    return n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  // Same output as programs.money.format_krw: 550001234 -> "5억 5만 1,234원".
  function formatKrw(n) {
    if (n === ZERO) return "0원";
    var eok = n / EOK, rest = n % EOK, man = rest / MAN, won = rest % MAN, parts = [];
    if (eok) parts.push(group(eok) + "억");
    if (man) parts.push(group(man) + "만");
    if (won) parts.push(group(won));
    return parts.join(" ") + "원";
  }

  function cleanWon(value) {
    return (value || "").replace(/[,\s_]/g, "").replace(/원$/, "");
  }

  // Writes only what changed: rewriting every cell on each keystroke makes the browser
  // re-anchor the scroll position, which can move a button from under the pointer.
  function setText(el, text) {
    if (el && el.textContent !== text) el.textContent = text;
  }

  function parseWon(value) {
    var text = cleanWon(value);
    return /^\d+$/.test(text) ? BigInt(text) : ZERO;
  }

  // --- row editors ----------------------------------------------------------------------------

  function renumber(editor) {
    var prefix = editor.dataset.prefix;
    var pattern = new RegExp("^(id_)?" + prefix + "-(\\d+|__prefix__)-");
    var rows = editor.querySelectorAll("[data-row]");
    rows.forEach(function (row, i) {
      row.querySelectorAll("[name], [id], [for], [data-for]").forEach(function (el) {
        ["name", "id", "for", "data-for"].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value) el.setAttribute(attr, value.replace(pattern, "$1" + prefix + "-" + i + "-"));
        });
      });
    });
    var total = editor.querySelector('[name="' + prefix + '-TOTAL_FORMS"]');
    var initial = editor.querySelector('[name="' + prefix + '-INITIAL_FORMS"]');
    if (total) total.value = rows.length;
    if (initial) initial.value = 0;
  }

  function cloneTemplate(editor, selector) {
    var template = editor.querySelector("template" + selector);
    return template.content.firstElementChild.cloneNode(true);
  }

  function unusedMember(block, select) {
    var used = {};
    block.querySelectorAll("[data-row] select[name$='-member']").forEach(function (s) {
      if (s !== select) used[s.value] = true;
    });
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value && !used[select.options[i].value]) return select.options[i].value;
    }
    return select.value;
  }

  function addRow(editor, button) {
    var block = button.closest("[data-year-block]");
    var scope = block || editor;
    var row = cloneTemplate(editor, "[data-row-template]");
    scope.querySelector("[data-rows]").appendChild(row);
    if (block) {
      row.querySelector("[name$='-year']").value = block.dataset.year;
      var member = row.querySelector("select[name$='-member']");
      member.value = unusedMember(block, member);
    }
    renumber(editor);
    var first = row.querySelector("input:not([type=hidden]), select, textarea");
    if (first) first.focus();
  }

  // --- the budget -----------------------------------------------------------------------------

  function liveData() {
    var node = document.getElementById("budget-live");
    return node ? JSON.parse(node.textContent) : null;
  }

  function setOk(el, ok, labels) {
    if (!el) return;
    if (el.dataset.ok !== String(ok)) el.dataset.ok = String(ok);
    setText(el.querySelector("[data-status]"), ok ? labels.ok : labels.bad);
  }

  function percent(numerator, base) {
    if (base === ZERO) return "—";
    var bp = (numerator * BigInt(10000)) / base;
    var frac = (bp % BigInt(100)).toString();
    return group(bp / BigInt(100)) + "." + (frac.length < 2 ? "0" + frac : frac) + "%";
  }

  function computeYear(block, live) {
    var totals = {};
    FIELDS.forEach(function (f) { totals[f] = ZERO; });
    block.querySelectorAll("[data-row]").forEach(function (row) {
      var rowTotal = ZERO;
      FIELDS.forEach(function (f) {
        var input = row.querySelector("[name$='-" + f + "']");
        var amount = parseWon(input && input.value);
        totals[f] += amount;
        rowTotal += amount;
      });
      setText(row.querySelector("[data-row-total]"), formatKrw(rowTotal));
    });
    var all = ZERO;
    FIELDS.forEach(function (f) {
      all += totals[f];
      setText(block.querySelector('[data-total="' + f + '"]'), formatKrw(totals[f]));
    });
    setText(block.querySelector('[data-total="all"]'), formatKrw(all));

    setOk(block.querySelector("[data-cap]"), totals.national_krw <= BigInt(live.cap), live.labels);
    block.querySelectorAll("[data-testid=ratio]").forEach(function (item) {
      var rule = live.rules[Number(item.dataset.rule)];
      var sum = function (fields) {
        return fields.reduce(function (acc, f) { return acc + totals[f]; }, ZERO);
      };
      var numerator = sum(rule.numerator), base = sum(rule.base);
      var left = numerator * BigInt(10000), right = BigInt(rule.basis_points) * base;
      setOk(item, rule.comparison === "gte" ? left >= right : left <= right, live.labels);
      setText(item.querySelector("[data-percent]"), percent(numerator, base));
    });
    return totals;
  }

  function computeBudget(form, live) {
    var grand = {};
    FIELDS.forEach(function (f) { grand[f] = ZERO; });
    form.querySelectorAll("[data-years] [data-year-block]").forEach(function (block) {
      var totals = computeYear(block, live);
      FIELDS.forEach(function (f) { grand[f] += totals[f]; });
    });
    var all = ZERO;
    FIELDS.forEach(function (f) {
      all += grand[f];
      setText(form.querySelector('[data-grand="' + f + '"]'), formatKrw(grand[f]));
    });
    setText(form.querySelector('[data-grand="all"]'), formatKrw(all));
    updateAddYear(form, live);
  }

  function presentYears(form) {
    var years = {};
    form.querySelectorAll("[data-years] [data-year-block]").forEach(function (block) {
      if (block.dataset.year) years[block.dataset.year] = true;
    });
    return years;
  }

  function nextYear(form, live) {
    var present = presentYears(form);
    for (var y = 1; y <= live.duration; y++) {
      if (!present[String(y)]) return y;
    }
    return null;
  }

  function updateAddYear(form, live) {
    var button = form.querySelector("[data-add-year]");
    var full = nextYear(form, live) === null;
    if (button && button.disabled !== full) button.disabled = full;
  }

  function addYear(editor, form, live) {
    var year = nextYear(form, live);
    if (year === null) return;
    var block = cloneTemplate(editor, "[data-year-template]");
    block.dataset.year = String(year);
    block.querySelector("[data-year-label]").textContent = live.labels.year.replace("%(n)d", year + live.first_year - 1);
    block.querySelectorAll("[name$='-year']").forEach(function (input) { input.value = year; });
    var container = form.querySelector("[data-years]");
    var after = null;
    container.querySelectorAll("[data-year-block]").forEach(function (other) {
      if (!after && Number(other.dataset.year) > year) after = other;
    });
    container.insertBefore(block, after);
    renumber(editor);
    computeBudget(form, live);
    var first = block.querySelector("input.krw");
    if (first) first.focus();
  }

  // --- wiring ---------------------------------------------------------------------------------

  function init() {
    var live = liveData();
    document.querySelectorAll("[data-row-editor]").forEach(function (editor) {
      var form = editor.closest("form");
      editor.addEventListener("click", function (event) {
        var target = event.target;
        if (target.closest("[data-add-row]")) {
          addRow(editor, target.closest("[data-add-row]"));
        } else if (target.closest("[data-remove-row]")) {
          target.closest("[data-row]").remove();
          renumber(editor);
        } else if (target.closest("[data-remove-year]")) {
          target.closest("[data-year-block]").remove();
          renumber(editor);
        } else if (target.closest("[data-add-year]") && live) {
          addYear(editor, form, live);
          return;
        } else {
          return;
        }
        if (live && form.hasAttribute("data-budget")) computeBudget(form, live);
      });
    });

    var budget = document.querySelector("form[data-budget]");
    if (budget && live) {
      budget.addEventListener("input", function () { computeBudget(budget, live); });
      budget.addEventListener("change", function () { computeBudget(budget, live); });
      computeBudget(budget, live);
    }

    // Whole won reads better with separators; only well-formed amounts are reformatted.
    document.addEventListener("focusout", function (event) {
      var input = event.target;
      if (!(input instanceof HTMLInputElement) || !input.classList.contains("krw")) return;
      var text = cleanWon(input.value);
      if (/^\d+$/.test(text)) input.value = group(BigInt(text));
    });

    // The consortium form shows the inputs of the chosen way to name the representative.
    document.querySelectorAll("fieldset.choice").forEach(function (fieldset) {
      var radios = fieldset.querySelectorAll("input[type=radio]");
      var sync = function () {
        var chosen = fieldset.querySelector("input[type=radio]:checked");
        fieldset.querySelectorAll("[data-mode]").forEach(function (panel) {
          panel.hidden = !!chosen && panel.dataset.mode !== chosen.value;
        });
      };
      radios.forEach(function (radio) { radio.addEventListener("change", sync); });
      sync();
    });

    // Enter in the organisation search searches; it must not submit "add member" half-filled.
    document.querySelectorAll("input[data-search]").forEach(function (input) {
      input.addEventListener("keydown", function (event) {
        if (event.key === "Enter") {
          event.preventDefault();
          input.dispatchEvent(new Event("search", { bubbles: true }));
        }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
