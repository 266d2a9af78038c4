// A rider's own page: reload it when the event changes (his run, his queue place).
"use strict";
let seen = null;
followLive((live) => {
  if (seen !== null && live.version !== seen) location.reload();
  seen = live.version;
});
