// Print buttons (data-print): bound here, not inline, so the console's CSP allows no inline script.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
