// A second click on a form's submit button does nothing while the first is on its way.
// The server makes the same promise without JavaScript (each form carries a one-time token).
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.hasAttribute("data-submit-once")) return;
  // Preview only shows the post as it will look: it is not the one submission.
  if (event.submitter && event.submitter.name === "preview") return;
  if (form.dataset.submitting === "1") {
    event.preventDefault();
    return;
  }
  form.dataset.submitting = "1";
  form.querySelectorAll("button[type=submit]").forEach(function (button) {
    button.setAttribute("aria-disabled", "true");
  });
});
