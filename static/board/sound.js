// The optional sound alert on a threshold breach: on a console off until its user turns it on
// (remembered per user); on a TV as its Display says (docs/tv-setup.md: the autoplay flag).
import { gettext } from "./i18n.js";

const BEEP_HZ = { warn: 660, critical: 880 };

export class SoundAlert {
  constructor(on = false) {
    this.on = on;
    this.context = null;
  }

  /** A short WebAudio tone: no audio file to ship, nothing to load. */
  beep(level) {
    if (!this.on || !globalThis.AudioContext) return;
    this.context ??= new AudioContext();
    // A page may play only after a click, unless the browser allows it (a kiosk's flag).
    if (this.context.state === "suspended") console.warn("board: the browser holds sound back until a click");
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

/** The console's button: a click lets the page play sound, and the beep confirms it works. */
export class SoundToggle extends SoundAlert {
  constructor(button, user) {
    super();
    this.button = button;
    this.key = `wallboard:sound:${user}`;
    this.show(localStorage.getItem(this.key) === "on");
    button.addEventListener("click", () => this.toggle());
  }

  toggle() {
    const on = !this.on;
    localStorage.setItem(this.key, on ? "on" : "off");
    this.show(on);
    if (on) this.beep("warn");
  }

  show(on) {
    this.on = on;
    this.button.setAttribute("aria-pressed", String(on));
    this.button.textContent = on ? gettext("Sound alert: on") : gettext("Sound alert: off");
  }
}
