/* The pipeline board: move cards by drag and drop (HTML5, no library) or with their arrow buttons, post
   the move with the version the card showed, then draw the board the server sends back. A refused move
   (someone changed the deal meanwhile) therefore shows the card where it really is, and the message is
   read out by the live region. Without this script the arrow buttons are plain forms. */
(function () {
  "use strict";

  let dragged = null;

  function boardElement() { return document.getElementById("pipeline-board"); }

  function csrfToken() {
    const field = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (field) { return field.value; }
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; } catch (error) { return ""; }
  }

  function announce(message, ok) {
    const status = document.getElementById("pipeline-status");
    if (!status) { return; }
    status.textContent = "";
    status.className = "pipeline-status alert " + (ok ? "alert-success" : "alert-warning");
    // Cleared first and filled a moment later, so the same message twice is announced twice.
    window.setTimeout(function () { status.textContent = message; }, 50);
  }

  function restoreFocus(cardId, direction) {
    const card = document.getElementById(cardId);
    if (!card) { return; }
    const target = (direction && card.querySelector('[data-direction="' + direction + '"]'))
      || card.querySelector("[data-direction]") || card.querySelector("a");
    if (target) { target.focus(); }
  }

  async function moveCard(card, stage, direction, origin) {
    const kanban = boardElement().querySelector(".kanban");
    const body = new URLSearchParams(kanban ? kanban.dataset.boardQuery || "" : "");
    body.set("stage", stage);
    body.set("version", card.dataset.version);
    card.classList.add("is-saving");
    card.setAttribute("aria-busy", "true");
    let data = null;
    try {
      const response = await fetch(card.dataset.moveUrl, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "Accept": "application/json", "X-CSRFToken": csrfToken() },
      });
      if ((response.headers.get("Content-Type") || "").indexOf("application/json") !== -1) {
        data = await response.json();
      }
    } catch (error) {
      data = null;
    }
    if (data && data.board) {
      boardElement().innerHTML = data.board;
      if (window.htmx) { window.htmx.process(boardElement()); }
    } else {
      card.classList.remove("is-saving");
      card.removeAttribute("aria-busy");
      if (origin) { origin.parent.insertBefore(card, origin.next); }
    }
    const status = document.getElementById("pipeline-status");
    announce(data && data.message ? data.message : status.dataset.errorText, Boolean(data && data.ok));
    if (direction) { restoreFocus(card.id, direction); }
  }

  // On a new deal's form, the purchase type follows the suggestion until the person picks one.
  document.addEventListener("change", function (event) {
    if (event.target.id === "id_purchase_type") { event.target.dataset.chosen = "true"; }
  });
  document.addEventListener("htmx:afterSwap", function () {
    const hint = document.getElementById("purchase-type-hint");
    const select = document.getElementById("id_purchase_type");
    if (hint && select && hint.dataset.suggested && select.form && select.form.dataset.followsSuggestion !== undefined
        && !select.dataset.chosen) {
      select.value = hint.dataset.suggested;
    }
  });

  document.addEventListener("submit", function (event) {
    if (event.target.id !== "kanban-move" || !event.submitter) { return; }
    event.preventDefault();
    const button = event.submitter;
    const stage = (button.value || "").split(":")[0];
    moveCard(button.closest(".kanban-card"), stage, button.dataset.direction, null);
  });

  document.addEventListener("dragstart", function (event) {
    const card = event.target.closest && event.target.closest('.kanban-card[draggable="true"]');
    if (!card) { return; }
    dragged = card;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.id);
    card.classList.add("is-dragging");
  });

  document.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("is-dragging"); }
    dragged = null;
    document.querySelectorAll(".kanban-cards.is-drop-target").forEach(function (list) { list.classList.remove("is-drop-target"); });
  });

  document.addEventListener("dragover", function (event) {
    const list = dragged && event.target.closest && event.target.closest(".kanban-cards");
    if (!list) { return; }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    document.querySelectorAll(".kanban-cards.is-drop-target").forEach(function (other) {
      if (other !== list) { other.classList.remove("is-drop-target"); }
    });
    list.classList.add("is-drop-target");
  });

  document.addEventListener("drop", function (event) {
    const list = dragged && event.target.closest && event.target.closest(".kanban-cards");
    if (!list) { return; }
    event.preventDefault();
    list.classList.remove("is-drop-target");
    const card = dragged;
    dragged = null;
    card.classList.remove("is-dragging");
    if (list.dataset.stage === card.dataset.stage) { return; }
    const origin = { parent: card.parentNode, next: card.nextSibling };
    const empty = list.querySelector(".kanban-empty");
    if (empty) { empty.remove(); }
    list.prepend(card);
    moveCard(card, list.dataset.stage, null, origin);
  });
})();
