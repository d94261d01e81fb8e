// "Copier" button of the clause text page: copies the clause (HTML and plain text) to the
// clipboard. Without JavaScript the button stays hidden and the text stays selectable.
(function () {
  "use strict";
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var target = document.getElementById(button.getAttribute("data-copy-target"));
    var status = document.getElementById(button.getAttribute("data-copy-status"));
    if (!target || !navigator.clipboard) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var done = function () {
        if (status) {
          status.textContent = "Le texte de la clause est copié : collez-le dans vos pièces du marché.";
        }
      };
      var fail = function () {
        if (status) {
          status.textContent = "La copie n'a pas fonctionné : sélectionnez le texte et copiez-le à la main.";
        }
      };
      if (window.ClipboardItem) {
        var item = new window.ClipboardItem({
          "text/html": new Blob([target.innerHTML], { type: "text/html" }),
          "text/plain": new Blob([target.innerText], { type: "text/plain" }),
        });
        navigator.clipboard.write([item]).then(done, function () {
          navigator.clipboard.writeText(target.innerText).then(done, fail);
        });
      } else {
        navigator.clipboard.writeText(target.innerText).then(done, fail);
      }
    });
  });
})();
