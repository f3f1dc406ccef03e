// Send the browser's IANA time zone to the server once, so that times show in local time
// for users who have not chosen a time zone in their profile.
(function () {
  if (document.cookie.split("; ").some(function (item) { return item.indexOf("tz=") === 0; })) {
    return;
  }
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone) {
    document.cookie = "tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; SameSite=Lax";
  }
})();
