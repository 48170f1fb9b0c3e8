// The one-time link (/tv/claim/#<code>): browsers never send a URL's fragment, so the code reaches
// the server only in this form's body, never in an access log. It leaves the address bar too.
const field = document.getElementById("claim-code");
field.value = window.location.hash.slice(1);
window.history.replaceState(null, "", window.location.pathname);
