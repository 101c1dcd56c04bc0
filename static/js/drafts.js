// Keeps a draft of what a member types into a form marked data-draft="<key>" in this browser
// (localStorage), so that an outage, a lost connection or a closed tab loses nothing: on the
// next visit the draft comes back into the empty form, with a note and a Discard button.
//
// A draft is forgotten only once its post went through: sending the form remembers, for this
// tab, which draft was sent; the page that follows forgets that draft if it carries the
// "Posted." message (data-posted), and keeps it otherwise (a 503, a form error, a sign-in).
// Signing out forgets every draft, so the next person at a shared computer finds none.
// Without JavaScript, or without storage, the forms work as they always did.
(function () {
  var PREFIX = "hearth:draft:";
  var SENT = "hearth:draft-sent";
  var TEXT_FIELDS = ["title", "body", "tags", "content_note"];
  // Restored with the text, so that words written for "Only me" never come back under the
  // member's default audience.
  var CHOICE_FIELDS = ["visibility", "kind", "category"];
  var KEEP_DAYS = 30;

  function usable(name) {
    try {
      var storage = window[name];
      storage.setItem("hearth:probe", "1");
      storage.removeItem("hearth:probe");
      return storage;
    } catch (error) {
      return null;
    }
  }
  var drafts = usable("localStorage");
  var tab = usable("sessionStorage");
  if (!drafts) return;

  function read(key) {
    try {
      return JSON.parse(drafts.getItem(PREFIX + key));
    } catch (error) {
      return null;
    }
  }
  function write(key, draft) {
    try {
      drafts.setItem(PREFIX + key, JSON.stringify(draft));
    } catch (error) {
      // Storage full or refused: the form still works, without a draft.
    }
  }
  function forget(key) {
    drafts.removeItem(PREFIX + key);
  }
  function draftKeys() {
    var keys = [];
    for (var index = 0; index < drafts.length; index++) {
      var name = drafts.key(index);
      if (name && name.indexOf(PREFIX) === 0) keys.push(name.slice(PREFIX.length));
    }
    return keys;
  }

  // The page after a send: did the post go through?
  var sent = tab && tab.getItem(SENT);
  if (sent) {
    tab.removeItem(SENT);
    if (document.querySelector("[data-posted]")) forget(sent);
  }
  // The page after an account was deleted: nothing of it stays in this browser.
  if (document.querySelector("[data-forget-drafts-now]")) draftKeys().forEach(forget);
  var oldest = Date.now() - KEEP_DAYS * 24 * 60 * 60 * 1000;
  draftKeys().forEach(function (key) {
    var draft = read(key);
    if (!draft || !(draft.savedAt > oldest)) forget(key);
  });

  document.addEventListener("submit", function (event) {
    if (event.target.hasAttribute("data-forget-drafts")) draftKeys().forEach(forget);
  });

  function fieldsOf(form, names) {
    return names
      .map(function (name) {
        return form.elements.namedItem(name);
      })
      .filter(Boolean);
  }

  function keep(form) {
    var key = form.getAttribute("data-draft");
    var draft = { text: {}, choices: {}, savedAt: Date.now() };
    var typed = false;
    fieldsOf(form, TEXT_FIELDS).forEach(function (field) {
      draft.text[field.name] = field.value;
      if (field.value.trim()) typed = true;
    });
    CHOICE_FIELDS.forEach(function (name) {
      // A radio group (RadioNodeList) or a select: its value is the one chosen.
      var field = form.elements.namedItem(name);
      if (field) draft.choices[name] = field.value;
    });
    var token = form.elements.namedItem("client_token");
    if (token) draft.token = token.value;
    if (typed) write(key, draft);
    else forget(key);
  }

  function choose(form, name, value) {
    var field = form.elements.namedItem(name);
    if (!field || value == null) return;
    // Choose the value only if it is still offered.
    var options = field.options || field;
    for (var index = 0; index < options.length; index++) {
      if (options[index].value === value) {
        if (field.options) field.value = value;
        else options[index].checked = true;
      }
    }
  }

  function restore(form, draft) {
    var textFields = fieldsOf(form, TEXT_FIELDS);
    var empty = textFields.every(function (field) {
      return !field.value.trim();
    });
    if (!empty || !draft.text) return false;
    textFields.forEach(function (field) {
      if (typeof draft.text[field.name] === "string") field.value = draft.text[field.name];
    });
    Object.keys(draft.choices || {}).forEach(function (name) {
      choose(form, name, draft.choices[name]);
    });
    // The same one-time token as the send that may have gone through: sending again then
    // finds that post instead of making a second.
    var token = form.elements.namedItem("client_token");
    if (token && draft.token) token.value = draft.token;
    return true;
  }

  function offerDiscard(form, key, serverToken) {
    var note = document.createElement("div");
    note.className = "draft-note";
    note.setAttribute("role", "status");
    var text = document.createElement("p");
    text.textContent = "Restored your unsent draft.";
    var discard = document.createElement("button");
    discard.type = "button";
    discard.className = "button button--secondary button--small";
    discard.textContent = "Discard";
    discard.addEventListener("click", function () {
      forget(key);
      form.reset();
      var token = form.elements.namedItem("client_token");
      if (token) token.value = serverToken;
      note.remove();
      var body = form.elements.namedItem("body");
      if (body) body.focus();
    });
    note.appendChild(text);
    note.appendChild(discard);
    form.insertBefore(note, form.firstChild);
  }

  document.querySelectorAll("form[data-draft]").forEach(function (form) {
    var key = form.getAttribute("data-draft");
    var token = form.elements.namedItem("client_token");
    var serverToken = token ? token.value : "";
    var draft = read(key);
    if (draft && restore(form, draft)) offerDiscard(form, key, serverToken);
    form.addEventListener("input", function () {
      keep(form);
    });
    form.addEventListener("change", function () {
      keep(form);
    });
    form.addEventListener("submit", function () {
      keep(form);
      if (tab) tab.setItem(SENT, key);
    });
  });
})();
