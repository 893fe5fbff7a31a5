// The redemption page's script (issuer/page/redeem.js). The page works without it; with it
// the PIN leaves the address bar at once, and the language switcher keeps what the form
// holds instead of starting over.
'use strict';
(function () {
  // The PIN was read by the server into the form: the address keeps only the language,
  // so that it is not in the history, a bookmark or a screenshot of the address bar.
  var url = new URL(window.location.href);
  if (url.searchParams.has('pin')) {
    var lang = url.searchParams.get('lang');
    window.history.replaceState(null, '', '/redeem' + (lang ? '?lang=' + encodeURIComponent(lang) : ''));
  }

  var form = document.getElementById('redeem');
  if (!form) return;

  // Another language: the same form posted with intent=switch to /redeem?lang=xx, which
  // only shows it again, its PIN and account kept, and puts nothing in the address.
  var links = document.querySelectorAll('nav.langs a[data-lang]');
  for (var i = 0; i < links.length; i++) {
    links[i].addEventListener('click', function (event) {
      if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      var intent = document.createElement('input');
      intent.type = 'hidden';
      intent.name = 'intent';
      intent.value = 'switch';
      form.appendChild(intent);
      form.action = '/redeem?lang=' + encodeURIComponent(this.getAttribute('data-lang'));
      form.submit();
    });
  }

  // One redemption per press: a second Enter while the first is on its way does nothing.
  form.addEventListener('submit', function (event) {
    var button = form.querySelector('button[type=submit]');
    if (form.getAttribute('data-sent')) {
      event.preventDefault();
      return;
    }
    form.setAttribute('data-sent', '1');
    if (button) button.setAttribute('aria-disabled', 'true');
  });
  // back to this page from the next one (the browser's page cache): it may be sent again,
  // as a redemption (a switcher's intent left in it would make the form unreadable)
  window.addEventListener('pageshow', function () {
    var added = form.querySelectorAll('input[type=hidden][name=intent]');
    for (var k = 0; k < added.length; k++) added[k].remove();
    form.removeAttribute('data-sent');
    var button = form.querySelector('button[type=submit]');
    if (button) button.removeAttribute('aria-disabled');
  });
})();
