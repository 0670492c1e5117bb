// Inside an embed page: tell the page that frames it how tall this page is, so its optional
// script (embed.js) can fit the frame. Only a height is sent.
(function () {
  "use strict";
  if (window.parent === window) return;
  var last = 0;
  function tell() {
    var height = Math.ceil(document.documentElement.scrollHeight);
    if (height !== last) {
      last = height;
      window.parent.postMessage({ undersigned: "height", height: height }, "*");
    }
  }
  window.addEventListener("load", tell);
  window.addEventListener("resize", tell);
  if (window.ResizeObserver) new ResizeObserver(tell).observe(document.body);
})();
