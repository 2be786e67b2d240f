// Card payment: the server creates the PaymentIntent on the clinic's Stripe
// account; Stripe.js collects the card (it never touches our servers) and
// confirms it; then we show the receipt, which asks Stripe for the outcome.
(function () {
  "use strict";
  const form = document.getElementById("pay-form");
  if (!form || !window.Stripe) return;
  const csrf = document.querySelector("meta[name=csrf-token]").content;
  const options = form.dataset.account ? { stripeAccount: form.dataset.account } : {};
  const stripe = Stripe(form.dataset.key, options);
  const card = stripe.elements().create("card");
  card.mount("#card-element");
  const error = document.getElementById("pay-error");
  const status = document.getElementById("pay-status");
  const button = document.getElementById("pay-button");

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    error.textContent = "";
    button.disabled = true;
    status.textContent = button.dataset.working || "…";
    try {
      const response = await fetch(form.dataset.payUrl, {
        method: "POST", credentials: "same-origin",
        headers: { "X-CSRFToken": csrf, "Accept": "application/json" },
      });
      const body = await response.json();
      if (!response.ok) throw new Error(body.error ? body.error.message : response.statusText);
      const result = await stripe.confirmCardPayment(body.client_secret, { payment_method: { card } });
      if (result.error) throw new Error(result.error.message);
      window.location.href = body.status_url;
    } catch (err) {
      error.textContent = err.message;
      status.textContent = "";
      button.disabled = false;
    }
  });
})();
