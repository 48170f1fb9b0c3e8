// The unpaired TV (/tv/): poll until an admin has entered the code (the answer then sets this
// screen's credential as an HttpOnly cookie) or the code has expired; either way /tv/ shows what
// comes next. Without a code (too many asked at once), try /tv/ again after a while.
const page = document.getElementById("pairing");
const tv = () => window.location.replace(page.dataset.tvUrl);

async function poll() {
  try {
    const response = await fetch(page.dataset.pollUrl, { cache: "no-store", credentials: "same-origin" });
    const answer = await response.json();
    if (answer.paired || answer.expired) return tv();
  } catch {
    // The server is unreachable for now: keep the code on screen and ask again.
  }
  setTimeout(poll, Number(page.dataset.pollMs));
}

if (page.dataset.code) setTimeout(poll, Number(page.dataset.pollMs));
else setTimeout(tv, Number(page.dataset.retryMs));
