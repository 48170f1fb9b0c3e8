// The wall TV's clock: the time now in the installation's zone (TIME_ZONE, which the page names),
// by the server's clock: the TV's own zone and clock may both be wrong.
import { formatClock, serverNow } from "./clock.js";

const clock = document.getElementById("wall-clock");

function show() {
  const text = formatClock(serverNow());
  if (clock.textContent !== text) clock.textContent = text;
}

if (clock) {
  show();
  setInterval(show, 1000);
}
