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
// Drag-and-drop of a file (IdP metadata) onto a textarea marked data-file-drop: its text fills the field.
document.querySelectorAll('textarea[data-file-drop]').forEach((area) => {
  area.addEventListener('dragover', (event) => { event.preventDefault(); area.classList.add('drop'); });
  area.addEventListener('dragleave', () => area.classList.remove('drop'));
  area.addEventListener('drop', (event) => {
    event.preventDefault();
    area.classList.remove('drop');
    const file = event.dataTransfer && event.dataTransfer.files[0];
    if (file) file.text().then((text) => { area.value = text; });
  });
});
// A file chooser that fills a textarea (bulk import CSV): shown only with this script, since
// without it the form posts the pasted text.
document.querySelectorAll('input[type=file][data-file-into]').forEach((input) => {
  const target = document.getElementById(input.dataset.fileInto);
  if (!target) return;
  document.querySelectorAll('.js-only').forEach((el) => { el.hidden = false; });
  input.addEventListener('change', () => {
    const file = input.files && input.files[0];
    if (file) file.text().then((text) => { target.value = text; });
  });
});
