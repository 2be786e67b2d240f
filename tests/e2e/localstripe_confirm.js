// Appended by the browser tests to localstripe's fake Stripe.js (see
// tests/e2e/conftest.py, `_localstripe_card_confirm`).
//
// Why: localstripe's fake card Element does take typed input (five plain
// <input>s; `element.value` follows every keystroke), but its fake
// `confirmCardPayment(clientSecret, data)` never reads `data`: it assumes the
// PaymentIntent was already confirmed server-side with a card needing 3-D
// Secure, and only plays the 3-D Secure modal + `/_authenticate`. Real
// Stripe.js first sends the Element's card with the client secret
// (`POST /v1/payment_intents/<id>/confirm`, payment_method_data[card]) and then
// handles 3-D Secure. This shim adds that missing first step, so the card the
// test types is the card Stripe charges; the page's own code is unchanged.
(function () {
  "use strict";
  const fakeStripe = window.Stripe;
  window.Stripe = function (key, options) {
    const stripe = fakeStripe(key, options);
    const fakeConfirm = stripe.confirmCardPayment;
    stripe.confirmCardPayment = async function (clientSecret, data) {
      const element = data && data.payment_method && data.payment_method.card;
      if (element && element.value) {
        const pi = clientSecret.split("_secret_")[0];
        const response = await fetch(
          `${LOCALSTRIPE_BASE_API}/_config/e2e/payment_intents/${pi}/confirm`,
          {
            // No custom headers: a CORS preflight localstripe would refuse.
            method: "POST",
            body: JSON.stringify({
              key: key,
              stripe_account: options && options.stripeAccount,
              client_secret: clientSecret,
              card: element.value.card,
              postal_code: element.value.postal_code,
            }),
          },
        );
        const body = await response.json().catch(() => ({}));
        if (response.status !== 200 || body.error) {
          return { error: body.error || { message: response.statusText } };
        }
        if (body.status !== "requires_action") return { paymentIntent: body };
      }
      return fakeConfirm(clientSecret, data);
    };
    return stripe;
  };
})();
