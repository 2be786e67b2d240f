// The staff calendar: FullCalendar's resource time grid, one column per
// dentist (or chair). Every change is sent to the server, which decides; a
// refused change is reverted on screen and its reason shown in an alert.
(function () {
  "use strict";
  const el = document.getElementById("calendar");
  if (!el || !window.FullCalendar) return;
  const csrf = document.querySelector("meta[name=csrf-token]").content;
  const messageBox = document.getElementById("calendar-message");
  const resources = JSON.parse(document.getElementById("calendar-resources").textContent);
  const by = el.dataset.by;

  function say(text, kind) {
    messageBox.className = "alert " + (kind || "error");
    messageBox.textContent = text;
  }
  function clearMessage() { messageBox.className = ""; messageBox.textContent = ""; }
  function idUrl(template, id) { return template.replace(/\/0\//, "/" + id + "/"); }
  // The calendar runs in UTC mode over the clinic's wall-clock times (the
  // server sends and takes them without an offset), so a Date's UTC fields
  // are the clinic's local time.
  function wall(date, length) { return date.toISOString().slice(0, length || 19); }
  async function post(url, data) {
    const body = new URLSearchParams(data);
    const response = await fetch(url, {
      method: "POST", body, credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, "Accept": "application/json" },
    });
    let payload = {};
    try { payload = await response.json(); } catch (e) { /* not JSON */ }
    return { ok: response.ok, status: response.status, payload };
  }
  function errorText(result) {
    return (result.payload.error && result.payload.error.message) || ("Error " + result.status);
  }

  // The feed answers the days on screen with the hours that show all their
  // visits (the clinic's working hours, widened around any visit outside
  // them): the grid takes those hours, so no appointment is ever off screen.
  async function loadEvents(info, success, failure) {
    const params = new URLSearchParams({ by: by, start: info.startStr, end: info.endStr });
    try {
      const response = await fetch(el.dataset.eventsUrl + "?" + params, {
        credentials: "same-origin", headers: { "Accept": "application/json" },
      });
      const body = await response.json();
      if (!response.ok) throw new Error(errorText({ payload: body, status: response.status }));
      for (const [name, value] of Object.entries(body.hours)) {
        if (calendar.getOption(name) !== value) calendar.setOption(name, value);
      }
      success(body.events);
    } catch (e) {
      say(e.message);
      failure(e);
    }
  }

  // A phone has no room for one toolbar row: arrows and title on top, a
  // short title, the view switch below the grid.
  function toolbars() {
    const views = "resourceTimeGridDay,resourceTimeGridWeek";
    if (!window.matchMedia("(max-width: 600px)").matches) {
      return { headerToolbar: { left: "prev,next today", center: "title", right: views } };
    }
    return {
      headerToolbar: { left: "prev,next", center: "title", right: "today" },
      footerToolbar: { center: views },
      titleFormat: { day: "numeric", month: "short" },
    };
  }

  const calendar = new FullCalendar.Calendar(el, {
    schedulerLicenseKey: "GPL-My-Project-Is-Open-Source",
    initialView: "resourceTimeGridDay",
    initialDate: el.dataset.initialDate || undefined,
    timeZone: "UTC",
    now: el.dataset.now,
    locale: el.dataset.locale,
    ...toolbars(),
    views: { resourceTimeGridWeek: { type: "resourceTimeGrid", duration: { weeks: 1 }, datesAboveResources: true } },
    slotMinTime: el.dataset.slotMin, slotMaxTime: el.dataset.slotMax, slotDuration: "00:15:00",
    allDaySlot: false, nowIndicator: true, height: "auto",
    resources: resources,
    events: loadEvents,
    selectable: true, selectMirror: true, editable: true, eventResourceEditable: true,
    select: openBooking,
    eventClick: (info) => openEvent(info.event),
    eventDrop: (info) => move(info),
    eventResize: (info) => move(info),
    eventDidMount: (info) => {
      const p = info.event.extendedProps;
      info.el.setAttribute("aria-label", info.event.title + ", " + p.statusLabel + ", " + p.dentist + ", " + p.chair);
      info.el.setAttribute("tabindex", "0");
      info.el.addEventListener("keydown", (e) => { if (e.key === "Enter") openEvent(info.event); });
    },
  });
  calendar.render();
  window.chairsideCalendar = calendar;

  async function move(info) {
    clearMessage();
    const event = info.event;
    const data = {
      start: wall(event.start),
      duration_minutes: Math.round((event.end - event.start) / 60000),
    };
    if (info.newResource) data[by] = info.newResource.id;
    const result = await post(idUrl(el.dataset.moveUrl, event.id), data);
    if (!result.ok) {
      info.revert();
      say(errorText(result));
    } else {
      say(result.payload.message, "success");
      calendar.refetchEvents();
    }
  }

  // --- booking dialog ---
  const bookDialog = document.getElementById("book-dialog");
  const bookForm = document.getElementById("book-form");
  const bookError = document.getElementById("book-error");
  const options = document.getElementById("book-patient-options");
  const search = document.getElementById("book-patient-search");

  function openBooking(info) {
    clearMessage();
    bookForm.reset();
    bookError.textContent = "";
    document.getElementById("book-patient").value = "";
    document.getElementById("book-patient-chosen").textContent = "";
    options.innerHTML = "";
    document.getElementById("book-start").value = wall(info.start, 16);
    // The input carries scheduling's bounds (min, max) from the server.
    const duration = document.getElementById("book-duration");
    const minutes = Math.round((info.end - info.start) / 60000);
    duration.value = Math.min(Number(duration.max), Math.max(Number(duration.min), minutes));
    if (info.resource) {
      const select = document.getElementById(by === "chair" ? "book-chair" : "book-dentist");
      select.value = info.resource.id;
    }
    bookDialog.showModal();
    search.focus();
    calendar.unselect();
  }
  options.addEventListener("click", (e) => choose(e.target.closest("[data-id]")));
  options.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); choose(e.target.closest("[data-id]")); } });
  search.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown") { const first = options.querySelector("[data-id]"); if (first) { e.preventDefault(); first.focus(); } }
  });
  document.body.addEventListener("htmx:afterSwap", (e) => {
    if (e.detail.target === options) search.setAttribute("aria-expanded", options.children.length ? "true" : "false");
  });
  function choose(item) {
    if (!item) return;
    document.getElementById("book-patient").value = item.dataset.id;
    document.getElementById("book-patient-chosen").textContent = item.dataset.name;
    search.value = item.dataset.name;
    options.innerHTML = "";
    search.setAttribute("aria-expanded", "false");
    document.getElementById("book-dentist").focus();
  }
  bookForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    bookError.textContent = "";
    const data = Object.fromEntries(new FormData(bookForm).entries());
    delete data.q;
    const result = await post(el.dataset.bookUrl, data);
    if (!result.ok) { bookError.textContent = errorText(result); return; }
    bookDialog.close();
    say(result.payload.message, "success");
    calendar.refetchEvents();
  });

  // --- appointment dialog ---
  const eventDialog = document.getElementById("event-dialog");
  let current = null;
  function openEvent(event) {
    clearMessage();
    current = event;
    const p = event.extendedProps;
    document.getElementById("event-title").textContent = event.title;
    document.getElementById("event-body").textContent =
      FullCalendar.formatRange(event.start, event.end, { timeZone: "UTC", hour: "2-digit", minute: "2-digit", weekday: "long", day: "numeric", month: "long", locale: el.dataset.locale })
      + " · " + p.dentist + " · " + p.chair + " · " + p.statusLabel;
    document.getElementById("event-error").textContent = "";
    document.getElementById("event-patient-link").href = idUrl(el.dataset.patientUrl, p.patientId);
    document.getElementById("event-edit-link").href = idUrl(el.dataset.editUrl, event.id);
    // Only the changes the server allows for this visit now (p.actions).
    statusButtons.forEach((button) => {
      const status = button.dataset.status;
      // style, not the hidden attribute: the buttons' CSS display wins over it.
      button.style.display = p.actions.includes(status) ? "" : "none";
      if (status === "confirmed") {
        button.dataset.label = button.dataset.label || button.textContent;
        button.textContent = p.status === "checked_in" ? button.dataset.undoLabel : button.dataset.label;
      }
    });
    document.getElementById("event-cancel").style.display = p.actions.includes("cancelled") ? "" : "none";
    document.getElementById("event-cancel-reason").value = "";
    eventDialog.showModal();
  }
  const statusButtons = eventDialog.querySelectorAll("[data-status]");
  statusButtons.forEach((button) => {
    button.addEventListener("click", async () => {
      const data = { status: button.dataset.status };
      if (data.status === "cancelled") data.cancellation_reason = document.getElementById("event-cancel-reason").value;
      const result = await post(idUrl(el.dataset.statusUrl, current.id), data);
      if (!result.ok && result.status !== 302) {
        document.getElementById("event-error").textContent = errorText(result);
        return;
      }
      eventDialog.close();
      calendar.refetchEvents();
    });
  });
  document.querySelectorAll("dialog [data-close]").forEach((b) => b.addEventListener("click", () => b.closest("dialog").close()));
})();
