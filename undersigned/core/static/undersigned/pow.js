// Proof of work for a signing form that asks for it (form[data-pow]; see moderation/pow.py).
// Finds n such that SHA-256("<challenge>:<n>") starts with data-pow zero bits, using the
// browser's own SHA-256 (crypto.subtle), and puts n in the form's "work" field. It starts as
// soon as the page is shown, says in #pow-status what it is doing, and, if the form is sent
// before it is done, sends it the moment it is: signing works with the keyboard alone and
// nobody has to click anything extra.
(function () {
  "use strict";
  var form = document.querySelector("form[data-pow]");
  if (!form) return;
  var status = document.getElementById("pow-status");
  var bits = parseInt(form.getAttribute("data-pow"), 10);
  var challenge = form.elements.namedItem("challenge").value;
  var work = form.elements.namedItem("work");
  var done = false;
  var sendWhenDone = false;

  function say(key) {
    status.textContent = status.getAttribute("data-" + key);
  }

  function zeroBits(bytes) {
    var count = 0;
    for (var i = 0; i < bytes.length; i++) {
      if (bytes[i] === 0) {
        count += 8;
        continue;
      }
      for (var mask = 0x80; (bytes[i] & mask) === 0; mask >>= 1) count++;
      break;
    }
    return count;
  }

  async function solve() {
    var encoder = new TextEncoder();
    var batch = 256; // digests in flight at once: far faster than one await per hash
    for (var start = 0; ; start += batch) {
      var pending = [];
      for (var i = 0; i < batch; i++) {
        pending.push(crypto.subtle.digest("SHA-256", encoder.encode(challenge + ":" + (start + i))));
      }
      var digests = await Promise.all(pending);
      for (var j = 0; j < batch; j++) {
        if (zeroBits(new Uint8Array(digests[j])) >= bits) return start + j;
      }
    }
  }

  if (!(window.crypto && crypto.subtle && window.TextEncoder)) {
    // Not in a secure context, or an old browser: the form is sent without a solution.
    say("unsupported");
    return;
  }

  form.addEventListener("submit", function (event) {
    if (done) return;
    event.preventDefault();
    sendWhenDone = true;
    say("waiting");
  });

  say("working");
  solve().then(function (n) {
    work.value = String(n);
    done = true;
    say("done");
    if (sendWhenDone) form.submit();
  });
})();
