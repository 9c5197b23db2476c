/* The live message badge of the workspace: [data-unread] elements show the unread count.
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
      el.textContent = String(counts.unread);
      el.hidden = counts.unread === 0;
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
