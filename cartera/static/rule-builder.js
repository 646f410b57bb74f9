/* A builder for the JSON rules of segments and B2C profiles.
 *
 * Markup:
 *   <div class="rule-builder" data-rule-builder data-catalog="CATALOG_SCRIPT_ID" data-source="TEXTAREA_ID"
 *        data-error-positions='["2.1"]'></div>
 * The catalog (a json_script) lists the fields in groups, each with its kind, operators and choices,
 * the operator labels, the group labels and `maxDepth` (1 when the language has no nested groups).
 * The textarea holds the rule as JSON and is what the form posts: the builder writes it on every
 * change, and reads it again when someone edits the JSON by hand. Either way it fires "rule-changed"
 * on the form, which the preview (an element marked data-rule-preview) listens to; the conditions a
 * preview's error names are marked in the builder. Without JavaScript the textarea alone still works.
 */
(function () {
  "use strict";

  const LIST_OPERATORS = ["in", "not_in"];
  const GROUP_KEYS = ["all", "any"];
  let uid = 0;

  function element(tag, attributes, children) {
    const node = document.createElement(tag);
    Object.entries(attributes || {}).forEach(([key, value]) => {
      if (value === undefined || value === null || value === false) return;
      if (key === "text") node.textContent = value;
      else if (key === "className") node.className = value;
      else node.setAttribute(key, value === true ? "" : value);
    });
    (children || []).forEach((child) => child && node.appendChild(child));
    return node;
  }

  function isGroup(item) {
    return item && typeof item === "object" && !Array.isArray(item) && Object.keys(item).length === 1
      && GROUP_KEYS.includes(Object.keys(item)[0]);
  }

  class RuleBuilder {
    constructor(root) {
      this.root = root;
      this.catalog = JSON.parse(document.getElementById(root.dataset.catalog).textContent);
      this.texts = this.catalog.texts;
      this.source = document.getElementById(root.dataset.source);
      this.form = this.source.form;
      this.details = this.source.closest("details");
      this.fields = {};
      this.catalog.groups.forEach((group) => group.fields.forEach((field) => { this.fields[field.name] = field; }));
      this.firstField = this.catalog.groups[0].fields[0];
      this.errorPositions = JSON.parse(root.dataset.errorPositions || "[]");
      this.notice = element("p", { className: "rule-builder-notice small text-secondary mb-2", role: "status" });
      this.tree = element("div", { className: "rule-builder-tree" });
      root.replaceChildren(this.notice, this.tree);
      this.source.addEventListener("input", () => this.readSource());
      this.readSource({ initial: true });
    }

    /* The JSON text -> the builder. */
    readSource(options) {
      const initial = options && options.initial;
      const text = this.source.value.trim();
      let rule;
      try {
        rule = text ? JSON.parse(text) : { all: [] };
      } catch (error) {
        this.showNotice(this.texts.unreadable);
        if (!initial) this.changed(false);
        else if (this.details) this.details.open = true;
        return;
      }
      if (!this.representable(rule)) {
        this.rule = null;
        this.tree.replaceChildren();
        this.showNotice(this.texts.notRepresentable);
        if (this.details) this.details.open = true;
        if (!initial) this.changed(false);
        return;
      }
      this.rule = rule;
      this.showNotice("");
      this.render();
      if (initial && this.details && !this.source.classList.contains("is-invalid")) this.details.open = false;
      if (!initial) this.changed(false);
    }

    showNotice(text) {
      this.notice.textContent = text;
      this.notice.hidden = !text;
    }

    representable(rule) {
      if (!rule || typeof rule !== "object" || Array.isArray(rule)) return false;
      const keys = Object.keys(rule);
      if (keys.length !== 1 || keys[0] !== "all" || !Array.isArray(rule.all)) return false;
      const check = (items, depth) => items.every((item) => {
        if (isGroup(item)) {
          const members = Object.values(item)[0];
          return depth < this.catalog.maxDepth && Array.isArray(members) && members.length > 0
            && check(members, depth + 1);
        }
        if (!item || typeof item !== "object" || Array.isArray(item)) return false;
        const field = this.fields[item.field];
        return Object.keys(item).length === 3 && "value" in item && field && field.operators.includes(item.op);
      });
      return check(rule.all, 1);
    }

    /* The builder -> the JSON text, and a preview request. */
    changed(writeSource) {
      if (writeSource !== false && this.rule) {
        this.source.value = JSON.stringify(this.rule, null, 2);
        this.source.classList.remove("is-invalid");
      }
      this.errorPositions = [];
      this.markErrors();
      this.form.dispatchEvent(new CustomEvent("rule-changed", { bubbles: true }));
    }

    markErrors(positions) {
      if (positions) this.errorPositions = positions;
      this.tree.querySelectorAll(".rule-condition").forEach((row) => {
        const invalid = this.errorPositions.includes(row.dataset.position);
        row.classList.toggle("rule-row-invalid", invalid);
        row.querySelectorAll("select, input").forEach((control) => control.classList.toggle("is-invalid", invalid));
      });
      this.tree.querySelectorAll(".rule-group").forEach((group) => {
        group.classList.toggle("rule-row-invalid", this.errorPositions.includes(group.dataset.position));
      });
    }

    defaultCondition() {
      const field = this.firstField;
      return { field: field.name, op: field.operators[0], value: this.defaultValue(field, field.operators[0]) };
    }

    defaultValue(field, op) {
      const isList = LIST_OPERATORS.includes(op);
      if (field.choices && field.choices.length) return isList ? [] : field.choices[0][0];
      if (isList) return [];
      return field.kind === "money" ? "" : (field.min !== undefined ? field.min : 0);
    }

    render() {
      const focused = document.activeElement && this.tree.contains(document.activeElement)
        ? document.activeElement.dataset.focusKey : null;
      this.tree.replaceChildren(this.renderGroup("all", this.rule.all, "", 1, null));
      if (focused) {
        const again = this.tree.querySelector(`[data-focus-key="${CSS.escape(focused)}"]`);
        if (again) again.focus();
      }
      this.markErrors();
    }

    renderGroup(key, items, position, depth, onGroupChange) {
      const group = element("div", {
        className: `rule-group rule-depth-${depth}`,
        role: "group",
        "data-position": position || "top",
      });
      const head = element("div", { className: "rule-group-head" });
      if (depth === 1) {
        head.appendChild(element("span", { className: "fw-semibold", text: this.texts.topGroup }));
        group.setAttribute("aria-label", this.texts.topGroup);
      } else {
        const id = `rule-group-${++uid}`;
        const label = element("label", { className: "visually-hidden", for: id, text: this.format(this.texts.groupKind, position) });
        const select = element("select", { id, className: "form-select form-select-sm w-auto", "data-focus-key": `kind-${position}` });
        Object.entries(this.catalog.groupKinds).forEach(([value, text]) => {
          select.appendChild(element("option", { value, text, selected: value === key }));
        });
        select.addEventListener("change", () => onGroupChange(select.value));
        group.setAttribute("aria-label", this.format(this.texts.groupLabel, position));
        head.append(element("span", { className: "rule-position", text: position }), label,
          element("span", { text: this.texts.groupPrefix }), select);
        const remove = element("button", {
          type: "button", className: "btn btn-sm btn-outline-danger ms-auto",
          "aria-label": this.format(this.texts.removeGroupLabel, position), text: this.texts.remove,
        });
        remove.addEventListener("click", () => onGroupChange(null));
        head.appendChild(remove);
      }
      group.appendChild(head);
      const list = element("ol", { className: "rule-items" });
      if (!items.length) {
        list.appendChild(element("li", { className: "rule-empty text-secondary small", text: this.texts.empty }));
      }
      items.forEach((item, index) => {
        const itemPosition = position ? `${position}.${index + 1}` : String(index + 1);
        const removeItem = () => {
          items.splice(index, 1);
          if (depth > 1 && !items.length) items.push(this.defaultCondition());
          this.render();
          this.changed();
          const focusTarget = this.tree.querySelector(`[data-focus-key="add-${position || "top"}"]`);
          if (focusTarget) focusTarget.focus();
        };
        if (isGroup(item)) {
          const innerKey = Object.keys(item)[0];
          const changeGroup = (newKey) => {
            if (newKey === null) { removeItem(); return; }
            items[index] = { [newKey]: item[innerKey] };
            this.render();
            this.changed();
          };
          list.appendChild(element("li", {}, [this.renderGroup(innerKey, item[innerKey], itemPosition, depth + 1, changeGroup)]));
        } else {
          list.appendChild(this.renderCondition(item, itemPosition, removeItem));
        }
      });
      group.appendChild(list);
      const actions = element("div", { className: "rule-group-actions" });
      const addCondition = element("button", {
        type: "button", className: "btn btn-sm btn-outline-primary", "data-focus-key": `add-${position || "top"}`,
        text: this.texts.addCondition,
        "aria-label": depth === 1 ? this.texts.addCondition : this.format(this.texts.addConditionTo, position),
      });
      addCondition.addEventListener("click", () => {
        items.push(this.defaultCondition());
        this.render();
        this.changed();
        const newPosition = position ? `${position}.${items.length}` : String(items.length);
        const field = this.tree.querySelector(`[data-focus-key="field-${newPosition}"]`);
        if (field) field.focus();
      });
      actions.appendChild(addCondition);
      if (depth < this.catalog.maxDepth) {
        const addGroup = element("button", {
          type: "button", className: "btn btn-sm btn-outline-secondary",
          text: this.texts.addGroup,
          "aria-label": depth === 1 ? this.texts.addGroup : this.format(this.texts.addGroupTo, position),
        });
        addGroup.addEventListener("click", () => {
          // A group inside "all" is most often an "any of", and the other way round.
          items.push({ [key === "all" ? "any" : "all"]: [this.defaultCondition(), this.defaultCondition()] });
          this.render();
          this.changed();
        });
        actions.appendChild(addGroup);
      }
      group.appendChild(actions);
      return group;
    }

    renderCondition(condition, position, onRemove) {
      const row = element("li", { className: "rule-condition", "data-position": position, "data-testid": "rule-condition" });
      const field = this.fields[condition.field];
      const ids = { field: `rule-${++uid}`, op: `rule-${++uid}`, value: `rule-${++uid}` };

      const fieldSelect = element("select", {
        id: ids.field, className: "form-select form-select-sm rule-field", "data-focus-key": `field-${position}`,
      });
      this.catalog.groups.forEach((group) => {
        const optgroup = element("optgroup", { label: group.label });
        group.fields.forEach((option) => {
          optgroup.appendChild(element("option", { value: option.name, text: option.label, selected: option.name === field.name }));
        });
        fieldSelect.appendChild(optgroup);
      });
      fieldSelect.addEventListener("change", () => {
        const next = this.fields[fieldSelect.value];
        const op = next.operators.includes(condition.op) && this.sameValueKind(field, next) ? condition.op : next.operators[0];
        condition.field = next.name;
        condition.op = op;
        condition.value = this.sameValueKind(field, next) ? condition.value : this.defaultValue(next, op);
        this.render();
        this.changed();
      });

      const opSelect = element("select", {
        id: ids.op, className: "form-select form-select-sm rule-op", "data-focus-key": `op-${position}`,
      });
      field.operators.forEach((op) => {
        opSelect.appendChild(element("option", { value: op, text: this.catalog.operators[op], selected: op === condition.op }));
      });
      opSelect.addEventListener("change", () => {
        const wasList = LIST_OPERATORS.includes(condition.op);
        const isList = LIST_OPERATORS.includes(opSelect.value);
        condition.op = opSelect.value;
        if (wasList && !isList) condition.value = condition.value.length ? condition.value[0] : this.defaultValue(field, condition.op);
        if (!wasList && isList) condition.value = condition.value === "" ? [] : [condition.value];
        this.render();
        this.changed();
      });

      const valueControl = this.renderValue(field, condition, ids.value, position);
      const remove = element("button", {
        type: "button", className: "btn btn-sm btn-outline-danger rule-remove",
        "aria-label": this.format(this.texts.removeConditionLabel, position), text: this.texts.remove,
      });
      remove.addEventListener("click", onRemove);

      row.append(
        element("span", { className: "rule-position", "aria-hidden": "true", text: position }),
        element("div", { className: "rule-part rule-part-field" }, [
          element("label", { className: "visually-hidden", for: ids.field, text: this.format(this.texts.fieldLabel, position) }),
          fieldSelect,
        ]),
        element("div", { className: "rule-part rule-part-op" }, [
          element("label", { className: "visually-hidden", for: ids.op, text: this.format(this.texts.operatorLabel, position) }),
          opSelect,
        ]),
        element("div", { className: "rule-part rule-part-value" }, [
          element("label", { className: "visually-hidden", for: ids.value, text: this.format(this.texts.valueLabel, position) }),
          valueControl,
        ]),
        remove,
      );
      return row;
    }

    sameValueKind(a, b) {
      return a.kind === b.kind && !a.choices && !b.choices;
    }

    renderValue(field, condition, id, position) {
      const isList = LIST_OPERATORS.includes(condition.op);
      const focusKey = `value-${position}`;
      if (field.choices) {
        const select = element("select", {
          id, className: "form-select form-select-sm rule-value", multiple: isList, "data-focus-key": focusKey,
          size: isList ? String(Math.min(field.choices.length, 5)) : null,
        });
        const chosen = (isList ? condition.value : [condition.value]).map(String);
        field.choices.forEach(([value, text]) => {
          select.appendChild(element("option", { value: String(value), text, selected: chosen.includes(String(value)) }));
        });
        select.addEventListener("change", () => {
          const values = Array.from(select.selectedOptions).map((option) => this.typed(field, option.value));
          condition.value = isList ? values : values[0];
          this.changed();
        });
        if (isList) {
          const hint = element("div", { className: "form-text rule-hint", text: this.texts.multipleHint });
          const wrapper = element("div", {}, [select, hint]);
          return wrapper;
        }
        return select;
      }
      const input = element("input", {
        id, className: "form-control form-control-sm rule-value", "data-focus-key": focusKey,
        type: field.kind === "money" || isList ? "text" : "number",
        inputmode: field.kind === "money" ? "decimal" : "numeric",
        step: field.kind === "money" || isList ? null : "1",
        min: field.min, max: field.max, autocomplete: "off",
        value: isList ? (condition.value || []).join(", ") : String(condition.value ?? ""),
      });
      input.addEventListener("input", () => {
        if (isList) {
          condition.value = input.value.split(",").map((part) => this.typed(field, part.trim())).filter((part) => part !== "");
        } else {
          condition.value = this.typed(field, input.value.trim());
        }
        this.changed();
      });
      if (field.unit) {
        return element("div", { className: "input-group input-group-sm" }, [
          input, element("span", { className: "input-group-text", text: field.unit }),
        ]);
      }
      return input;
    }

    /* Values as the rule language writes them: numbers for whole numbers and ids, text for money. */
    typed(field, text) {
      if (field.kind === "money") return text.replace(/\s/g, "");
      if ((field.kind === "integer" || field.kind === "id") && /^-?\d+$/.test(text)) return Number(text);
      return text;
    }

    format(template, position) {
      return template.replace("%(position)s", position);
    }
  }

  function start(root) {
    if (root.ruleBuilder) return;
    root.ruleBuilder = new RuleBuilder(root);
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-rule-builder]").forEach(start);
  });
  /* A preview fragment names the conditions its error is about: mark them in the builder. */
  document.addEventListener("htmx:afterSwap", (event) => {
    if (!event.target.matches || !event.target.matches("[data-rule-preview]")) return;
    const marker = event.target.querySelector("[data-rule-error-positions]");
    document.querySelectorAll("[data-rule-builder]").forEach((root) => {
      if (!root.ruleBuilder) return;
      root.ruleBuilder.markErrors(marker ? JSON.parse(marker.dataset.ruleErrorPositions) : []);
    });
  });
})();
