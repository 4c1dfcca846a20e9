// Progressive enhancement only: every page works without script.
// A screening of a long list takes a while: say so, and keep the button from a second press.
document.addEventListener("submit", (event) => {
  const button = event.target.querySelector("button[type=submit]");
  if (button && event.target.matches("form[action$='/screen']")) {
    button.disabled = true;
    button.textContent = "Screening…";
  }
});
