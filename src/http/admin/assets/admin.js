// Admin Center enhancements; every page works without this file (CSP: script-src 'self').
// Copy buttons: shown only when the clipboard is available.
document.querySelectorAll('button.copy[data-copy]').forEach((button) => {
  if (!navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener('click', () => {
    const source = document.getElementById(button.dataset.copy);
    if (!source) return;
    navigator.clipboard.writeText(source.textContent.trim()).then(() => { button.textContent = 'Copied'; });
  });
});
// Confirmation dialog for buttons marked data-confirm (the page-based confirmations need no script).
document.querySelectorAll('[data-confirm]').forEach((button) => {
  button.addEventListener('click', (event) => {
    if (!window.confirm(button.dataset.confirm)) event.preventDefault();
  });
});
