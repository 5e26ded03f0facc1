// The simulator page: plays a test contact's phone and inbox. Plain JS, no build step.
// Reads go to /simulator/api with the session cookie of /login; writes also send
// X-Requested-With, which Relais requires of browser sessions (no cross-site writes).
(function () {
  'use strict';

  var NOT_SENT = { NO_CONSENT: 'non envoyé : pas de consentement', SUPPRESSED: 'non envoyé : contact supprimé',
    CAPPED: 'non envoyé : plafond de fréquence', FAILED: 'échec de l\'envoi', UNDELIVERED: 'non distribué',
    DEFERRED: 'programmé (hors horaires autorisés)', PENDING: 'en cours d\'envoi' };
  var CHANNEL_LABEL = { SMS: 'SMS', WHATSAPP: 'WhatsApp', RCS: 'RCS', EMAIL: 'E-mail' };
  var CONSENT_WORDING = 'J\'accepte de recevoir les offres de la boutique par ';

  var state = { contactId: null, channel: 'SMS', snapshot: null, source: null, openedMail: null };
  var $ = function (id) { return document.getElementById(id); };

  function setStatus(text, isError) {
    var s = $('status');
    s.textContent = text || '';
    s.className = 'status' + (isError ? ' error' : '');
  }

  function api(method, url, body) {
    var headers = { 'Accept': 'application/json' };
    if (method !== 'GET') {
      headers['X-Requested-With'] = 'fetch';
    }
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    return fetch(url, { method: method, headers: headers, credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body) })
      .then(function (res) {
        if (res.status === 401 || (res.redirected && res.url.indexOf('/login') >= 0)) {
          window.location.href = '/login?next=' + encodeURIComponent('/simulator');
          throw new Error('Session expirée');
        }
        return res.text().then(function (text) {
          var data = null;
          try { data = text ? JSON.parse(text) : null; } catch (e) { data = text; }
          if (!res.ok) {
            var err = new Error((data && (data.detail || data.title)) || ('HTTP ' + res.status));
            err.status = res.status;
            throw err;
          }
          return data;
        });
      });
  }

  function esc(s) {
    return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\'': '&#39;' }[c];
    });
  }

  // Escaped text with its links made clickable: tracked links go through /r/{code} like a real click.
  function linkify(text) {
    return esc(text).replace(/(https?:\/\/[^\s<"']+)/g, function (url) {
      return '<a href="' + url + '" target="_blank" rel="noopener" class="link">' + url + '</a>';
    });
  }

  function when(iso) {
    if (!iso) { return ''; }
    var d = new Date(iso);
    return d.toLocaleString('fr-FR', { day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  }

  function randomId() {
    var a = new Uint8Array(6);
    (window.crypto || window.msCrypto).getRandomValues(a);
    return 'sim-' + Array.prototype.map.call(a, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }

  // A random French mobile number: the simulator never texts it, it only plays it.
  function randomPhone() {
    var n = Math.floor(Math.random() * 1000000);
    return '+33612' + ('00000' + n).slice(-6);
  }

  // ---- contacts -------------------------------------------------------------------------------

  function loadContacts(selected) {
    return api('GET', '/simulator/api/contacts').then(function (list) {
      var sel = $('contact-select');
      sel.innerHTML = '<option value="">— choisir un contact —</option>';
      list.forEach(function (c) {
        var o = document.createElement('option');
        o.value = c.id;
        o.textContent = (c.firstName || c.id) + ' · ' + c.phone + (c.email ? ' · ' + c.email : '');
        sel.appendChild(o);
      });
      if (selected) { sel.value = selected; }
    });
  }

  function showContactForm() {
    var form = $('contact-form');
    form.hidden = !form.hidden;
    if (!form.hidden) {
      var first = ['Camille', 'Léa', 'Hugo', 'Chloé', 'Lucas', 'Manon'][Math.floor(Math.random() * 6)];
      $('contact-first-name').value = first;
      $('contact-phone').value = randomPhone();
      $('contact-email').value = first.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '') +
        '.' + Math.floor(Math.random() * 100000) + '@example.com';
    }
  }

  function createContact(event) {
    event.preventDefault();
    var id = randomId();
    var profile = { firstName: $('contact-first-name').value.trim(), phone: $('contact-phone').value.trim(),
      email: $('contact-email').value.trim() || undefined, locale: 'fr-FR' };
    var channels = Array.prototype.filter.call(document.querySelectorAll('input[name=consent]'), function (c) { return c.checked; })
      .map(function (c) { return c.value; });
    $('create-contact').disabled = true;
    setStatus('Création du contact…');
    api('PUT', '/api/contacts/' + encodeURIComponent(id), profile)
      .then(function (saved) {
        if (saved && saved.phone) { profile.phone = saved.phone; }
        if (saved && saved.email) { profile.email = saved.email; }
        return channels.reduce(function (p, channel) {
          return p.then(function () {
            return api('POST', '/api/contacts/' + encodeURIComponent(id) + '/consents', {
              channel: channel, purpose: 'MARKETING', status: 'GRANTED', legalBasis: 'CONSENT', method: 'CHECKBOX',
              source: 'simulateur', wording: CONSENT_WORDING + CHANNEL_LABEL[channel], wordingVersion: 'simulateur-1',
              collectedBy: 'simulateur', userAgent: navigator.userAgent });
          });
        }, Promise.resolve());
      })
      .then(function () {
        return api('POST', '/simulator/api/contacts', { id: id, firstName: profile.firstName, phone: profile.phone, email: profile.email });
      })
      .then(function () { return loadContacts(id); })
      .then(function () {
        $('contact-form').hidden = true;
        setStatus('Contact ' + id + ' créé avec ' + (channels.length ? 'consentement ' + channels.map(function (c) { return CHANNEL_LABEL[c]; }).join(', ') : 'aucun consentement') + '.');
        selectContact(id);
      })
      .catch(function (e) { setStatus('Impossible de créer le contact : ' + e.message, true); })
      .then(function () { $('create-contact').disabled = false; });
  }

  // ---- live view ------------------------------------------------------------------------------

  function selectContact(id) {
    if (state.source) { state.source.close(); state.source = null; }
    state.contactId = id || null;
    state.snapshot = null;
    state.openedMail = null;
    $('workspace').hidden = !id;
    $('mail-reader').hidden = true;
    if (!id) { history.replaceState(null, '', '/simulator'); return; }
    history.replaceState(null, '', '/simulator#contact=' + encodeURIComponent(id));
    api('GET', '/simulator/api/contacts/' + encodeURIComponent(id)).then(render)
      .catch(function (e) { setStatus('Contact illisible : ' + e.message, true); });
    var source = new EventSource('/simulator/api/stream?contactId=' + encodeURIComponent(id));
    source.addEventListener('snapshot', function (e) {
      if (state.contactId === id) { render(JSON.parse(e.data)); }
    });
    source.onopen = function () { $('live').classList.add('on'); };
    source.onerror = function () { $('live').classList.remove('on'); };
    state.source = source;
  }

  function render(snapshot) {
    state.snapshot = snapshot;
    var option = $('contact-select').selectedOptions[0];
    $('phone-number').textContent = option && option.value ? option.textContent.split(' · ')[1] : '';
    renderThread();
    renderInbox();
    renderJourneys();
  }

  function messagesOf(channel) {
    return (state.snapshot ? state.snapshot.messages : []).filter(function (m) { return m.channel === channel; });
  }

  function renderThread() {
    ['SMS', 'WHATSAPP', 'RCS'].forEach(function (ch) {
      var n = messagesOf(ch).length;
      $('tab-' + ch).innerHTML = CHANNEL_LABEL[ch] + (n ? '<span class="count">(' + n + ')</span>' : '');
      $('tab-' + ch).classList.toggle('active', ch === state.channel);
    });
    var thread = $('thread');
    var atBottom = thread.scrollHeight - thread.scrollTop - thread.clientHeight < 40;
    var list = messagesOf(state.channel);
    thread.innerHTML = list.length ? '' : '<p class="muted">Aucun message ' + CHANNEL_LABEL[state.channel] + '.</p>';
    list.forEach(function (m) {
      var div = document.createElement('div');
      var notSent = m.direction === 'OUT' && NOT_SENT[m.status];
      div.className = 'bubble ' + (m.direction === 'IN' ? 'in' : 'out') + (notSent ? ' not-sent' : '');
      div.dataset.status = m.status;
      div.innerHTML = linkify(m.body) + '<span class="meta">' + esc(when(m.createdAt)) +
        (notSent ? ' · ' + esc(notSent) + (m.reason ? ' (' + esc(m.reason) + ')' : '') : '') + '</span>';
      thread.appendChild(div);
    });
    if (atBottom || list.length) { thread.scrollTop = thread.scrollHeight; }
    var canReply = state.channel !== 'RCS';
    $('reply-text').disabled = !canReply;
    $('reply-send').disabled = !canReply;
    $('reply-text').placeholder = canReply ? 'Répondre… (STOP inclus)' : 'Réponses RCS non simulées';
  }

  function subjectOf(body) {
    var text = String(body || '').replace(/<[^>]*>/g, ' ').replace(/&nbsp;/g, ' ');
    var first = text.split(/\n/).map(function (l) { return l.trim(); }).filter(Boolean)[0] || '(sans objet)';
    return first.length > 90 ? first.slice(0, 87) + '…' : first;
  }

  function opened() {
    try { return JSON.parse(sessionStorage.getItem('relais-sim-opened') || '[]'); } catch (e) { return []; }
  }

  function renderInbox() {
    var inbox = $('inbox');
    var mails = messagesOf('EMAIL').filter(function (m) { return m.direction === 'OUT'; }).reverse();
    var seen = opened();
    inbox.innerHTML = mails.length ? '' : '<li class="muted">Aucun e-mail.</li>';
    mails.forEach(function (m) {
      var li = document.createElement('li');
      var b = document.createElement('button');
      b.type = 'button';
      b.className = 'mail' + (seen.indexOf(m.id) < 0 ? ' unread' : '');
      b.dataset.id = m.id;
      var notSent = NOT_SENT[m.status];
      b.innerHTML = '<span class="when">' + esc(when(m.createdAt)) + '</span>' + esc(subjectOf(m.body)) +
        (notSent ? ' <em class="muted">(' + esc(notSent) + ')</em>' : '');
      b.addEventListener('click', function () { openMail(m); });
      li.appendChild(b);
      inbox.appendChild(li);
    });
    if (state.openedMail) {
      var still = mails.filter(function (m) { return m.id === state.openedMail; })[0];
      if (!still) { $('mail-reader').hidden = true; }
    }
  }

  function openMail(m) {
    var reader = $('mail-reader');
    state.openedMail = m.id;
    reader.hidden = false;
    reader.dataset.id = m.id;
    if (/<[a-z][\s\S]*>/i.test(m.body || '')) {
      // HTML mail: sandboxed, links open in a new tab and still go through /r/{code}.
      reader.innerHTML = '';
      var frame = document.createElement('iframe');
      frame.setAttribute('sandbox', 'allow-popups allow-popups-to-escape-sandbox');
      frame.srcdoc = '<base target="_blank">' + m.body;
      reader.appendChild(frame);
    } else {
      reader.innerHTML = linkify(m.body);
    }
    var seen = opened();
    if (seen.indexOf(m.id) >= 0 || NOT_SENT[m.status]) { return; }
    api('POST', '/simulator/api/messages/' + encodeURIComponent(m.id) + '/open')
      .then(function () {
        seen.push(m.id);
        sessionStorage.setItem('relais-sim-opened', JSON.stringify(seen));
        setStatus('E-mail ouvert : l\'événement « open » a été envoyé comme le ferait SendGrid.');
        renderInbox();
      })
      .catch(function (e) { setStatus('Ouverture non transmise : ' + e.message, true); });
  }

  function renderJourneys() {
    var ul = $('journeys');
    var journeys = state.snapshot ? state.snapshot.journeys : [];
    ul.innerHTML = journeys.length ? '' : '<li class="muted">Aucun parcours pour l\'instant.</li>';
    journeys.forEach(function (j) {
      var li = document.createElement('li');
      li.className = 'journey' + (j.ended ? ' ended' : '');
      li.dataset.key = j.journeyKey;
      var html = '<strong>' + esc(j.journeyName) + '</strong> <span class="muted">v' + j.version + '</span><br>';
      if (j.ended) {
        html += 'Terminé ' + esc(when(j.endedAt));
      } else {
        html += '<span class="steps">Étape : ' + esc(j.currentSteps.join(', ') || '—') + '</span>';
        j.timers.forEach(function (t) {
          html += '<br><span class="muted">Minuteur : ' + esc(t.step) + ' → ' + esc(when(t.due)) + '</span>';
        });
        html += '<br><a href="' + esc(j.cockpitUrl) + '" target="_blank" rel="noopener">Voir dans Cockpit</a>';
      }
      li.innerHTML = html;
      ul.appendChild(li);
    });
  }

  // ---- actions --------------------------------------------------------------------------------

  function sendReply(event) {
    event.preventDefault();
    var text = $('reply-text').value;
    if (!text.trim() || !state.contactId) { return; }
    $('reply-send').disabled = true;
    api('POST', '/simulator/api/contacts/' + encodeURIComponent(state.contactId) + '/replies', { channel: state.channel, text: text })
      .then(function () {
        $('reply-text').value = '';
        setStatus('Réponse ' + CHANNEL_LABEL[state.channel] + ' envoyée au webhook Twilio de Relais.');
      })
      .catch(function (e) { setStatus('Réponse refusée : ' + e.message, true); })
      .then(function () { $('reply-send').disabled = false; });
  }

  function raise(button) {
    if (!state.contactId) { return; }
    button.disabled = true;
    api('POST', '/simulator/api/contacts/' + encodeURIComponent(state.contactId) + '/events',
      { event: button.dataset.event, accelerate: $('accelerate').checked })
      .then(function (r) {
        var n = r.processInstanceIds.length;
        setStatus('« ' + button.textContent + ' » : ' + (button.dataset.event === 'ORDER_PLACED'
          ? n + ' parcours informé(s).' : 'parcours démarré.'));
      })
      .catch(function (e) { setStatus('« ' + button.textContent + ' » refusé : ' + e.message, true); })
      .then(function () { button.disabled = false; });
  }

  document.addEventListener('DOMContentLoaded', function () {
    $('new-contact').addEventListener('click', showContactForm);
    $('contact-form').addEventListener('submit', createContact);
    $('contact-select').addEventListener('change', function (e) { selectContact(e.target.value); });
    $('reply-form').addEventListener('submit', sendReply);
    Array.prototype.forEach.call(document.querySelectorAll('.tab'), function (tab) {
      tab.addEventListener('click', function () { state.channel = tab.dataset.channel; renderThread(); });
    });
    Array.prototype.forEach.call(document.querySelectorAll('.event'), function (b) {
      b.addEventListener('click', function () { raise(b); });
    });
    var fromHash = /contact=([^&]+)/.exec(window.location.hash);
    var wanted = fromHash ? decodeURIComponent(fromHash[1]) : null;
    loadContacts(wanted).then(function () {
      if (wanted && $('contact-select').value === wanted) { selectContact(wanted); }
    }).catch(function (e) { setStatus('Contacts illisibles : ' + e.message, true); });
  });
})();
