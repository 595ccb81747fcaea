// The offline verifier: reads a trust list and a document's QR seal, checks both with WebCrypto,
// and says VALID or INVALID with the reason. No network: everything it needs is in this page.

const TEXT = {
  fr: {
    title: 'Vérifier un document',
    intro: 'Chargez la liste de confiance, puis photographiez ou choisissez l’image du code QR du document.',
    trustLabel: '1. Liste de confiance',
    trustButton: 'Charger la liste',
    trustNone: 'Aucune liste chargée.',
    trustOk: (l) =>
      `Liste n° ${l.sequence} de ${l.issuer}, valable jusqu’au ${day(l.expiresAt)} — AC ${l.caFingerprint.slice(0, 16)}`,
    trustBad: 'Cette liste de confiance est endommagée ou sa signature n’est pas valide.',
    trustOlder: (n, h) => `Liste refusée : n° ${n} est plus ancienne que la liste n° ${h} déjà utilisée.`,
    trustOtherCa: 'Liste refusée : elle relève d’une autre AC que l’AC nationale attendue.',
    sealLabel: '2. Code QR du document',
    image: 'Choisir une image',
    camera: 'Utiliser la caméra',
    stop: 'Arrêter la caméra',
    noCode: 'Aucun code QR trouvé dans l’image : reprenez la photo, plus nette et plus droite.',
    needTrust: 'Chargez d’abord la liste de confiance.',
    valid: 'VALIDE',
    invalid: 'NON VALIDE',
    compare: 'Comparez chaque champ avec le papier.',
    notTrusted: 'Ce que dit le sceau (à NE PAS croire) :',
    reasons: {
      valid: 'Le sceau est signé par un signataire de confiance.',
      'not-our-scheme': 'Ce n’est pas un sceau de document de cette plateforme (autre code QR).',
      damaged: 'Le sceau est endommagé ou incomplet : scannez-le de nouveau.',
      'trust-list-expired': 'La liste de confiance a expiré : chargez-en une plus récente.',
      'unknown-signer': 'Le signataire n’est pas dans la liste de confiance.',
      revoked: 'Le certificat du signataire est révoqué.',
      'bad-signature': 'La signature ne correspond pas au contenu : le document a été modifié.',
      'signer-expired': 'Le document est daté hors de la validité du certificat du signataire.',
    },
    document: 'Document',
    niu: 'Numéro (NIU)',
    documentId: 'Identifiant',
    issued: 'Délivré le',
    issuer: 'Par',
    signer: 'Signé par',
  },
  en: {
    title: 'Verify a document',
    intro: 'Load the trust list, then take a photo of the document’s QR code or choose its image.',
    trustLabel: '1. Trust list',
    trustButton: 'Load the list',
    trustNone: 'No list loaded.',
    trustOk: (l) =>
      `List no. ${l.sequence} from ${l.issuer}, valid until ${day(l.expiresAt)} — CA ${l.caFingerprint.slice(0, 16)}`,
    trustBad: 'This trust list is damaged or its signature does not verify.',
    trustOlder: (n, h) => `List refused: no. ${n} is older than list no. ${h} already in use.`,
    trustOtherCa: 'List refused: it is under another CA than the expected national CA.',
    sealLabel: '2. The document’s QR code',
    image: 'Choose an image',
    camera: 'Use the camera',
    stop: 'Stop the camera',
    noCode: 'No QR code found in the image: take the photo again, sharper and straighter.',
    needTrust: 'Load the trust list first.',
    valid: 'VALID',
    invalid: 'INVALID',
    compare: 'Compare every field with the paper.',
    notTrusted: 'What the seal says (NOT to be trusted):',
    reasons: {
      valid: 'The seal is signed by a trusted signer.',
      'not-our-scheme': 'Not a document seal of this platform (another QR code).',
      damaged: 'The seal is damaged or incomplete: scan it again.',
      'trust-list-expired': 'The trust list has expired: load a newer one.',
      'unknown-signer': 'The signer is not in the trust list.',
      revoked: 'The signer’s certificate is revoked.',
      'bad-signature': 'The signature does not match the content: the document was altered.',
      'signer-expired': 'The document is dated outside the signer certificate’s validity.',
    },
    document: 'Document',
    niu: 'Number (NIU)',
    documentId: 'Document id',
    issued: 'Issued on',
    issuer: 'By',
    signer: 'Signed by',
  },
};

function day(date) {
  return date.toISOString().slice(0, 10);
}

// ---- CBOR: the strict subset seals and trust lists use (definite lengths, no floats).
class Tagged {
  constructor(tag, value) {
    this.tag = tag;
    this.value = value;
  }
}

function decodeCbor(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  const need = (n) => {
    if (offset + n > bytes.length) throw new Error('truncated');
  };
  function head() {
    need(1);
    const initial = bytes[offset++];
    const major = initial >> 5;
    const info = initial & 31;
    let value = info;
    if (info === 24) {
      need(1);
      value = bytes[offset];
      offset += 1;
    } else if (info === 25) {
      need(2);
      value = view.getUint16(offset);
      offset += 2;
    } else if (info === 26) {
      need(4);
      value = view.getUint32(offset);
      offset += 4;
    } else if (info === 27) {
      need(8);
      value = Number(view.getBigUint64(offset));
      offset += 8;
    } else if (info > 27) throw new Error('indefinite or reserved');
    return [major, value, info];
  }
  function item(depth) {
    if (depth > 16) throw new Error('too deep');
    const [major, value, info] = head();
    switch (major) {
      case 0:
        return value;
      case 1:
        return -1 - value;
      case 2:
        need(value);
        offset += value;
        return bytes.subarray(offset - value, offset);
      case 3:
        need(value);
        offset += value;
        return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(offset - value, offset));
      case 4: {
        const out = [];
        for (let i = 0; i < value; i++) out.push(item(depth + 1));
        return out;
      }
      case 5: {
        const out = new Map();
        for (let i = 0; i < value; i++) {
          const key = item(depth + 1);
          out.set(key, item(depth + 1));
        }
        return out;
      }
      case 6:
        return new Tagged(value, item(depth + 1));
      default:
        if (info === 20) return false;
        if (info === 21) return true;
        if (info === 22) return null;
        throw new Error('unsupported simple value');
    }
  }
  const result = item(0);
  if (offset !== bytes.length) throw new Error('trailing bytes');
  return result;
}

function encodeHead(major, length) {
  if (length < 24) return [(major << 5) | length];
  if (length < 256) return [(major << 5) | 24, length];
  if (length < 65536) return [(major << 5) | 25, length >> 8, length & 255];
  return [(major << 5) | 26, (length >>> 24) & 255, (length >> 16) & 255, (length >> 8) & 255, length & 255];
}

/** Sig_structure ["Signature1", protected, h'', payload], the bytes a COSE_Sign1 signs. */
function sigStructure(protectedBytes, payload) {
  const context = new TextEncoder().encode('Signature1');
  const parts = [
    [0x84],
    encodeHead(3, context.length),
    context,
    encodeHead(2, protectedBytes.length),
    protectedBytes,
    [0x40],
    encodeHead(2, payload.length),
    payload,
  ];
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function parseSign1(bytes) {
  let value = decodeCbor(bytes);
  if (value instanceof Tagged) {
    if (value.tag !== 18) return null;
    value = value.value;
  }
  if (!Array.isArray(value) || value.length !== 4) return null;
  const [protectedBytes, unprotectedHeader, payload, signature] = value;
  if (
    !(protectedBytes instanceof Uint8Array) ||
    !(payload instanceof Uint8Array) ||
    !(signature instanceof Uint8Array)
  )
    return null;
  if (!(unprotectedHeader instanceof Map)) return null;
  const header = protectedBytes.length ? decodeCbor(protectedBytes) : new Map();
  if (!(header instanceof Map)) return null;
  return { protectedBytes, header, unprotectedHeader, payload, signature };
}

// ---- X.509, only what is needed: the signed part, its signature, the key, the validity.
function derItem(bytes, offset) {
  const tag = bytes[offset];
  let length = bytes[offset + 1];
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[start + i];
    start += count;
  }
  if (start + length > bytes.length) throw new Error('DER truncated');
  return {
    tag,
    start,
    end: start + length,
    whole: bytes.subarray(offset, start + length),
    content: bytes.subarray(start, start + length),
  };
}

function derChildren(item) {
  const out = [];
  let offset = item.start;
  while (offset < item.end) {
    const child = derItem(item.all, offset);
    child.all = item.all;
    out.push(child);
    offset = child.end;
  }
  return out;
}

function root(bytes) {
  const item = derItem(bytes, 0);
  item.all = bytes;
  return item;
}

function derTime(item) {
  const text = new TextDecoder().decode(item.content);
  const full = item.tag === 0x17 ? (Number(text.slice(0, 2)) < 50 ? '20' : '19') + text : text;
  return new Date(
    `${full.slice(0, 4)}-${full.slice(4, 6)}-${full.slice(6, 8)}T${full.slice(8, 10)}:${full.slice(10, 12)}:${full.slice(12, 14)}Z`,
  );
}

const OID_P256 = '2a8648ce3d030107';
const OID_P384 = '2b81040022';
const OID_ECDSA_SHA256 = '2a8648ce3d040302';
const OID_ECDSA_SHA384 = '2a8648ce3d040303';

function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function parseCertificate(der) {
  const certificate = root(der);
  const [tbs, algorithm, signature] = derChildren(certificate);
  const fields = derChildren(tbs);
  const index = fields[0].tag === 0xa0 ? 1 : 0;
  const validity = derChildren(fields[index + 3]);
  const spki = fields[index + 5];
  const curve = hex(derChildren(derChildren(spki)[0])[1].content);
  return {
    der,
    tbs: tbs.whole,
    algorithm: hex(derChildren(algorithm)[0].content),
    signature: signature.content.subarray(1),
    spki: spki.whole,
    curve: curve === OID_P384 ? 'P-384' : curve === OID_P256 ? 'P-256' : 'other',
    notBefore: derTime(validity[0]),
    notAfter: derTime(validity[1]),
  };
}

/** An ECDSA signature from DER (r, s INTEGERs) to the fixed-size r||s WebCrypto takes. */
function rawSignature(der, size) {
  const sequence = root(der);
  const [r, s] = derChildren(sequence).map((item) => {
    let bytes = item.content;
    while (bytes.length > size && bytes[0] === 0) bytes = bytes.subarray(1);
    const out = new Uint8Array(size);
    out.set(bytes, size - bytes.length);
    return out;
  });
  const out = new Uint8Array(size * 2);
  out.set(r, 0);
  out.set(s, size);
  return out;
}

async function importKey(certificate) {
  if (certificate.curve === 'other') throw new Error('unsupported curve');
  return crypto.subtle.importKey(
    'spki',
    certificate.spki,
    { name: 'ECDSA', namedCurve: certificate.curve },
    false,
    ['verify'],
  );
}

async function issuedBy(certificate, issuer) {
  const hash =
    certificate.algorithm === OID_ECDSA_SHA256
      ? 'SHA-256'
      : certificate.algorithm === OID_ECDSA_SHA384
        ? 'SHA-384'
        : null;
  if (!hash) return false;
  const size = issuer.curve === 'P-384' ? 48 : 32;
  return crypto.subtle.verify(
    { name: 'ECDSA', hash },
    await importKey(issuer),
    rawSignature(certificate.signature, size),
    certificate.tbs,
  );
}

async function verifySign1(message, key) {
  if (message.header.get(1) !== -7 || message.signature.length !== 64) return false;
  return crypto.subtle.verify(
    { name: 'ECDSA', hash: 'SHA-256' },
    key,
    message.signature,
    sigStructure(message.protectedBytes, message.payload),
  );
}

async function keyIdentifier(der) {
  return hex(new Uint8Array(await crypto.subtle.digest('SHA-256', der)).subarray(0, 8));
}

// ---- Trust list.
async function readTrustList(text) {
  const match = /-----BEGIN XMCOMM TRUST LIST-----([\s\S]*?)-----END XMCOMM TRUST LIST-----/.exec(text);
  if (!match) throw new Error('no armour');
  const bytes = Uint8Array.from(atob(match[1].replace(/\s+/g, '')), (c) => c.charCodeAt(0));
  const message = parseSign1(bytes);
  if (!message) throw new Error('not COSE');
  const chain = message.header.get(33);
  const signerDer = chain instanceof Uint8Array ? chain : Array.isArray(chain) ? chain[0] : null;
  if (!(signerDer instanceof Uint8Array)) throw new Error('no signer');
  const signer = parseCertificate(signerDer);
  if (!(await verifySign1(message, await importKey(signer)))) throw new Error('signature');
  const content = decodeCbor(message.payload);
  if (!(content instanceof Map) || content.get(1) !== 1) throw new Error('version');
  const ca = parseCertificate(content.get(6));
  if (!(await issuedBy(signer, ca))) throw new Error('list signer not under the CA');
  const list = {
    sequence: content.get(2),
    issuedAt: new Date(content.get(3) * 1000),
    expiresAt: new Date(content.get(4) * 1000),
    issuer: content.get(5),
    caFingerprint: hex(new Uint8Array(await crypto.subtle.digest('SHA-256', ca.der))),
    sealers: new Map(),
    revoked: new Set(),
  };
  for (const [der, label] of content.get(7)) {
    const certificate = parseCertificate(der);
    if (!(await issuedBy(certificate, ca))) throw new Error('sealer not under the CA');
    list.sealers.set(await keyIdentifier(der), { label, certificate, key: await importKey(certificate) });
  }
  for (const [kid] of content.get(8)) list.revoked.add(hex(kid));
  return list;
}

// ---- Seal.
const BASE45 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

function decodeBase45(text) {
  if (text.length % 3 === 1) return null;
  const out = [];
  for (let i = 0; i < text.length; i += 3) {
    const chunk = text.slice(i, i + 3);
    let value = 0;
    for (let j = chunk.length - 1; j >= 0; j--) {
      const digit = BASE45.indexOf(chunk[j]);
      if (digit < 0) return null;
      value = value * 45 + digit;
    }
    if (chunk.length === 3) {
      if (value > 65535) return null;
      out.push(value >> 8, value & 255);
    } else {
      if (value > 255) return null;
      out.push(value);
    }
  }
  return new Uint8Array(out);
}

async function inflate(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate'));
  const out = new Uint8Array(await new Response(stream).arrayBuffer());
  if (out.length > 16384) throw new Error('too large');
  return out;
}

const CLAIM_169_NAMES = {
  4: 'fullName',
  5: 'firstName',
  6: 'middleName',
  7: 'lastName',
  8: 'dateOfBirth',
  9: 'gender',
  10: 'address',
  13: 'nationality',
};
const GENDERS = { 1: 'M', 2: 'F', 3: 'X' };

function contentOf(claims) {
  const identity = claims.get(169);
  const document = claims.get(-65537);
  const fields = {};
  for (const [key, value] of identity) {
    if (key === 1 || !CLAIM_169_NAMES[key]) continue;
    fields[CLAIM_169_NAMES[key]] =
      key === 9 && typeof value === 'number' ? GENDERS[value] || String(value) : value;
  }
  for (const [key, value] of document.get(3)) fields[key] = value;
  return {
    issuer: claims.get(1),
    issuedAt: new Date(claims.get(6) * 1000),
    documentId: new TextDecoder().decode(claims.get(7)),
    niu: identity.get(1),
    recordType: document.get(1),
    documentKind: document.get(2),
    fields,
  };
}

async function verifySeal(text, list, at) {
  const trimmed = text.trim();
  if (!trimmed.startsWith('XM1:')) return { status: 'INVALID', reason: 'not-our-scheme' };
  let message;
  let content;
  try {
    const compressed = decodeBase45(trimmed.slice(4));
    if (!compressed) return { status: 'INVALID', reason: 'damaged' };
    message = parseSign1(await inflate(compressed));
    if (!message) return { status: 'INVALID', reason: 'damaged' };
    content = contentOf(decodeCbor(message.payload));
  } catch {
    return { status: 'INVALID', reason: 'damaged' };
  }
  if (at > list.expiresAt) return { status: 'INVALID', reason: 'trust-list-expired', content };
  const kidBytes = message.header.get(4) || message.unprotectedHeader.get(4);
  const kid = kidBytes instanceof Uint8Array ? hex(kidBytes) : '';
  if (list.revoked.has(kid)) return { status: 'INVALID', reason: 'revoked', content };
  const sealer = list.sealers.get(kid);
  if (!sealer) return { status: 'INVALID', reason: 'unknown-signer', content };
  if (!(await verifySign1(message, sealer.key)))
    return { status: 'INVALID', reason: 'bad-signature', content };
  if (content.issuedAt < sealer.certificate.notBefore || content.issuedAt > sealer.certificate.notAfter) {
    return { status: 'INVALID', reason: 'signer-expired', content };
  }
  return { status: 'VALID', content, signer: sealer.label };
}

// ---- Reading a QR code from pixels: the browser's BarcodeDetector when it has one, jsQR otherwise.
async function detect(source, width, height) {
  if ('BarcodeDetector' in window) {
    try {
      const formats = await window.BarcodeDetector.getSupportedFormats();
      if (formats.includes('qr_code')) {
        const found = await new window.BarcodeDetector({ formats: ['qr_code'] }).detect(source);
        if (found.length) return found[0].rawValue;
      }
    } catch {
      /* fall back to jsQR */
    }
  }
  const canvas = document.createElement('canvas');
  const scale = Math.min(1, 2000 / Math.max(width, height));
  canvas.width = Math.round(width * scale);
  canvas.height = Math.round(height * scale);
  const context = canvas.getContext('2d', { willReadFrequently: true });
  context.drawImage(source, 0, 0, canvas.width, canvas.height);
  const pixels = context.getImageData(0, 0, canvas.width, canvas.height);
  const code = window.jsQR(pixels.data, canvas.width, canvas.height, { inversionAttempts: 'attemptBoth' });
  return code ? code.data : null;
}

// ---- The page.
const state = {
  lang: (navigator.language || 'fr').toLowerCase().startsWith('en') ? 'en' : 'fr',
  list: null,
  result: null,
  trustMessage: null,
  stream: null,
};
const $ = (id) => document.getElementById(id);

function render() {
  const t = TEXT[state.lang];
  document.documentElement.lang = state.lang;
  for (const element of document.querySelectorAll('[data-text]'))
    element.textContent = t[element.dataset.text];
  $('camera').textContent = state.stream ? t.stop : t.camera;
  $('trust-status').textContent = state.trustMessage
    ? state.trustMessage(t)
    : state.list
      ? t.trustOk(state.list)
      : t.trustNone;
  $('trust-status').className = state.trustMessage ? 'status bad' : state.list ? 'status ok' : 'status';
  const box = $('result');
  const result = state.result;
  box.hidden = !result;
  if (!result) return;
  if (result.message) {
    box.className = 'result bad';
    $('verdict').textContent = '';
    $('reason').textContent = t[result.message];
    $('fields').replaceChildren();
    return;
  }
  const valid = result.status === 'VALID';
  box.className = valid ? 'result ok' : 'result bad';
  $('verdict').textContent = valid ? `✔ ${t.valid}` : `✘ ${t.invalid}`;
  $('reason').textContent = `${t.reasons[valid ? 'valid' : result.reason]}${valid ? ` ${t.compare}` : ''}`;
  const rows = [];
  const content = result.content;
  if (content) {
    if (!valid) rows.push([t.notTrusted, '']);
    rows.push(
      [t.document, `${content.recordType} — ${content.documentKind}`],
      [t.niu, content.niu],
      [t.documentId, content.documentId],
      [t.issued, day(content.issuedAt)],
      [t.issuer, content.issuer],
    );
    for (const [name, value] of Object.entries(content.fields)) rows.push([name, value]);
    if (valid) rows.push([t.signer, result.signer]);
  }
  $('fields').replaceChildren(
    ...rows.map(([name, value]) => {
      const row = document.createElement('tr');
      const head = document.createElement('th');
      head.textContent = name;
      const cell = document.createElement('td');
      cell.textContent = value;
      row.append(head, cell);
      return row;
    }),
  );
}

async function loadTrustList(file) {
  state.trustMessage = null;
  try {
    const list = await readTrustList(await file.text());
    const held = JSON.parse(localStorage.getItem('xmcomm-trust') || 'null');
    // A page written with `xmdoc page --ca` knows the national CA: no list under another is taken,
    // even the first. Without it, the first list's CA is kept and shown, and pinned from then on.
    const pinned = document.querySelector('meta[name="xmcomm-national-ca"]')?.content || '';
    if (pinned && pinned !== list.caFingerprint) state.trustMessage = (t) => t.trustOtherCa;
    else if (held && held.caFingerprint !== list.caFingerprint) state.trustMessage = (t) => t.trustOtherCa;
    else if (held && list.sequence < held.sequence)
      state.trustMessage = (t) => t.trustOlder(list.sequence, held.sequence);
    else {
      state.list = list;
      localStorage.setItem(
        'xmcomm-trust',
        JSON.stringify({ caFingerprint: list.caFingerprint, sequence: list.sequence }),
      );
    }
  } catch {
    state.trustMessage = (t) => t.trustBad;
  }
  render();
}

async function check(text) {
  state.result = text === null ? { message: 'noCode' } : await verifySeal(text, state.list, new Date());
  render();
}

async function scanImage(file) {
  // The previous verdict goes at once: it must never be read as this document's.
  state.result = null;
  render();
  if (!state.list) {
    state.result = { message: 'needTrust' };
    render();
    return;
  }
  const bitmap = await createImageBitmap(file);
  await check(await detect(bitmap, bitmap.width, bitmap.height));
}

async function toggleCamera() {
  if (state.stream) {
    for (const track of state.stream.getTracks()) track.stop();
    state.stream = null;
    $('video').hidden = true;
    render();
    return;
  }
  state.result = null;
  render();
  if (!state.list) {
    state.result = { message: 'needTrust' };
    render();
    return;
  }
  state.stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
  const video = $('video');
  video.srcObject = state.stream;
  video.hidden = false;
  await video.play();
  render();
  const tick = async () => {
    if (!state.stream) return;
    const text = video.videoWidth ? await detect(video, video.videoWidth, video.videoHeight) : null;
    if (text) {
      await check(text);
      await toggleCamera();
      return;
    }
    setTimeout(tick, 250);
  };
  tick();
}

$('trust-file').addEventListener('change', (event) => {
  if (event.target.files[0]) loadTrustList(event.target.files[0]);
});
$('image-file').addEventListener('change', (event) => {
  if (event.target.files[0]) scanImage(event.target.files[0]);
});
$('camera').addEventListener('click', () =>
  toggleCamera().catch(() => {
    state.stream = null;
    render();
  }),
);
$('language').addEventListener('click', () => {
  state.lang = state.lang === 'fr' ? 'en' : 'fr';
  render();
});
if (!navigator.mediaDevices) $('camera').hidden = true;
render();
