// Language choice and text formatting. The words themselves come from sites.yaml via the gateway.

/** The page's language: data-lang on the script tag, else <html lang>, else French. */
export function pageLanguage(script) {
  const lang = (script.getAttribute('data-lang') || document.documentElement.lang || 'fr');
  return lang.slice(0, 2).toLowerCase();
}

/** A translator over `texts`: t('placeholder', {purpose: 'Vidéos'}). */
export function translator(texts) {
  return (key, vars) => (texts[key] || key).replace(/\{(\w+)\}/g, (m, name) =>
    (vars && vars[name] != null ? vars[name] : texts[name] != null ? texts[name] : m));
}
