// Translations come from Django's JavaScript catalogue (a classic script loaded before us).
const catalogue = globalThis;

export const gettext = catalogue.gettext ?? ((text) => text);

/** Fill the %(name)s placeholders of an already translated text: format(gettext(text), values). */
export function format(translated, values) {
  return translated.replace(/%\((\w+)\)s/g, (_, name) => String(values[name] ?? ""));
}

/** The page's language (the board's, when it has one), for Intl formatting. */
export const language = document.documentElement.lang || "en";
