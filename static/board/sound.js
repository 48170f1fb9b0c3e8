// The optional sound alert on a threshold breach: off by default, remembered per user.
import { gettext } from "./i18n.js";

const BEEP_HZ = { warn: 660, critical: 880 };

export class SoundAlert {
  constructor(button, user) {
    this.button = button;
    this.key = `wallboard:sound:${user}`;
    this.context = null;
    this.show(localStorage.getItem(this.key) === "on");
    button.addEventListener("click", () => this.toggle());
  }

  toggle() {
    const on = !this.on;
    localStorage.setItem(this.key, on ? "on" : "off");
    this.show(on);
    if (on) this.beep("warn"); // a click lets the page play sound; the beep confirms it works
  }

  show(on) {
    this.on = on;
    this.button.setAttribute("aria-pressed", String(on));
    this.button.textContent = on ? gettext("Sound alert: on") : gettext("Sound alert: off");
  }

  /** A short WebAudio tone: no audio file to ship, nothing to load. */
  beep(level) {
    if (!this.on || !globalThis.AudioContext) return;
    this.context ??= new AudioContext();
    const oscillator = this.context.createOscillator();
    const gain = this.context.createGain();
    oscillator.frequency.value = BEEP_HZ[level] ?? BEEP_HZ.warn;
    gain.gain.setValueAtTime(0.2, this.context.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, this.context.currentTime + 0.4);
    oscillator.connect(gain).connect(this.context.destination);
    oscillator.start();
    oscillator.stop(this.context.currentTime + 0.4);
  }
}
