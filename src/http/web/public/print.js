// The convocation's print button: browsers print only from a script (no inline script: CSP).
// Without JavaScript the button is hidden (noscript.css) and the page says to use the browser's menu.
for (const button of document.querySelectorAll('[data-print]')) button.addEventListener('click', () => window.print());
