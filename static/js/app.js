// Small glue: send the CSRF token with every htmx request, and move focus to
// swapped-in content that asks for it so keyboard and screen-reader users land
// on the result.
document.addEventListener("htmx:configRequest", (event) => {
  const token = document.querySelector("meta[name=csrf-token]");
  if (token) event.detail.headers["X-CSRFToken"] = token.content;
});
document.addEventListener("htmx:afterSwap", (event) => {
  const target = event.detail.target.querySelector("[data-autofocus]");
  if (target) target.focus();
});
