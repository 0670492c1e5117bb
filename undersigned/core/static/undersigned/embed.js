// For partners' pages (optional): fits the height of every undersigned frame on the page to
// its content. It listens only to messages from the server this script came from.
(function () {
  "use strict";
  var script = document.currentScript;
  var origin = new URL(script.src).origin;
  window.addEventListener("message", function (event) {
    if (event.origin !== origin || !event.data || event.data.undersigned !== "height") return;
    var height = Number(event.data.height);
    if (!(height > 0 && height < 10000)) return;
    document.querySelectorAll("iframe").forEach(function (frame) {
      if (frame.contentWindow === event.source) frame.style.height = height + "px";
    });
  });
})();
