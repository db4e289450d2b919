// Shows why the login page came back: the server redirects a wrong key to /ui/login?failed=1.
if (new URLSearchParams(location.search).has('failed')) {
  document.getElementById('failed').hidden = false;
}
