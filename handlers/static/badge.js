/* The live message badges: each [data-unread] element shows a count of the stream's ("" the unread total,
   "notice" / "warning" per tab), hidden at 0.
   One EventSource per browser: the tab that holds the Web Lock "qingling-badge" listens to
   /workbench/messages/stream and passes each count to the other tabs over a BroadcastChannel;
   when it closes, another tab takes the lock over. Without JavaScript the count of the page load stays. */
(function () {
  "use strict";
  var url = document.documentElement.getAttribute("data-badge-stream");
  if (!url || !window.EventSource) { return; }
  var channel = window.BroadcastChannel ? new BroadcastChannel("qingling-badge") : null;
  function show(counts) {
    document.querySelectorAll("[data-unread]").forEach(function (el) {
      var count = counts[el.getAttribute("data-unread") || "unread"];
      el.textContent = String(count);
      el.hidden = count === 0;
    });
  }
  function listen() {
    return new Promise(function () {  // held while the page lives: the lock passes on when it closes
      var source = new EventSource(url);
      source.addEventListener("counts", function (event) {
        var counts = JSON.parse(event.data);
        show(counts);
        if (channel) { channel.postMessage(counts); }
      });
    });
  }
  if (channel) { channel.onmessage = function (event) { show(event.data); }; }
  if (channel && navigator.locks) { navigator.locks.request("qingling-badge", listen); } else { listen(); }
})();
