// Internet Explorer 11: the group's French notice, in ES5 DOM code, and nothing else.
// Nothing is granted: the gated tags stay inert, Consent Mode stays at its denied default.

export function isIE11(ua) {
  return /Trident\/7\./.test(ua);
}

export function showIE11Notice(configUrl) {
  var xhr = new XMLHttpRequest();
  xhr.open('GET', configUrl);
  xhr.onload = function () {
    var t;
    try { t = JSON.parse(xhr.responseText).texts; } catch (e) { return; }
    if (!t) return;
    var box = document.createElement('section');
    box.id = 'iq-ie11';
    box.className = 'iq iq-banner';
    box.setAttribute('aria-labelledby', 'iq-ie11-t');
    box.setAttribute('lang', 'fr');
    var title = document.createElement('h2');
    title.id = 'iq-ie11-t';
    title.appendChild(document.createTextNode(t.ie11_title));
    var text = document.createElement('p');
    text.appendChild(document.createTextNode(t.ie11_text));
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'iq-btn';
    button.appendChild(document.createTextNode(t.ie11_button));
    button.onclick = function () { box.parentNode.removeChild(box); };
    box.appendChild(title);
    box.appendChild(text);
    box.appendChild(button);
    var body = document.body;
    if (body) body.insertBefore(box, body.firstChild);
    else document.addEventListener('DOMContentLoaded', function () { document.body.insertBefore(box, document.body.firstChild); });
  };
  xhr.send();
}
