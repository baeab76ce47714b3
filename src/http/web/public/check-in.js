// Check-in page: scan the convocation's QR code with the camera, then send the form with the
// token, as if it had been typed. Without JavaScript or a camera the page works as is (the
// short code is typed); this script only adds the scanner.
// Decoding: the browser's BarcodeDetector when it reads QR codes, otherwise jsQR (served from
// our own origin, /assets/jsqr/jsQR.js, loaded only when needed: CSP allows 'self' only).
(() => {
  const section = document.getElementById('check-in-scanner');
  const form = document.getElementById('check-in-form');
  if (!section || !form || !navigator.mediaDevices || typeof navigator.mediaDevices.getUserMedia !== 'function') return;
  const video = document.getElementById('scan-video');
  const start = document.getElementById('scan-start');
  const stop = document.getElementById('scan-stop');
  const status = document.getElementById('scan-status');
  const tokenField = document.getElementById('check-in-token');
  const codeField = document.getElementById('code');
  const canvas = document.createElement('canvas');
  let stream = null;
  let timer = null;
  let detect = null;
  section.hidden = false;

  const say = (text) => {
    status.textContent = text || '';
  };

  function loadJsQr() {
    if (window.jsQR) return Promise.resolve(window.jsQR);
    return new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = '/assets/jsqr/jsQR.js';
      script.onload = () => (window.jsQR ? resolve(window.jsQR) : reject(new Error('jsQR missing')));
      script.onerror = () => reject(new Error('jsQR not loaded'));
      document.head.appendChild(script);
    });
  }

  /** A function frame → decoded text or null, with the best decoder available. */
  async function decoder() {
    if ('BarcodeDetector' in window) {
      try {
        const formats = await window.BarcodeDetector.getSupportedFormats();
        if (formats.includes('qr_code')) {
          const detector = new window.BarcodeDetector({ formats: ['qr_code'] });
          return async () => {
            const found = await detector.detect(video);
            return found.length ? found[0].rawValue : null;
          };
        }
      } catch {
        /* fall back to jsQR */
      }
    }
    const jsQR = await loadJsQr();
    const context = canvas.getContext('2d', { willReadFrequently: true });
    return async () => {
      const width = video.videoWidth;
      const height = video.videoHeight;
      if (!width || !height) return null;
      canvas.width = width;
      canvas.height = height;
      context.drawImage(video, 0, 0, width, height);
      const found = jsQR(context.getImageData(0, 0, width, height).data, width, height, {
        inversionAttempts: 'dontInvert',
      });
      return found ? found.data : null;
    };
  }

  function halt() {
    if (timer) clearTimeout(timer);
    timer = null;
    if (stream) for (const track of stream.getTracks()) track.stop();
    stream = null;
    video.hidden = true;
    stop.hidden = true;
    start.hidden = false;
  }

  function submitWith(text) {
    const value = text.trim();
    // A convocation token holds a "."; anything else is taken as a short code.
    if (value.includes('.')) tokenField.value = value;
    else codeField.value = value;
    say(section.dataset.read);
    halt();
    form.submit();
  }

  async function scan() {
    if (!stream) return;
    try {
      const text = video.readyState >= 2 ? await detect() : null;
      if (text) return submitWith(text);
    } catch {
      /* a frame that could not be read: try the next one */
    }
    timer = setTimeout(scan, 150);
  }

  start.addEventListener('click', async () => {
    say(section.dataset.starting);
    try {
      detect = detect || (await decoder());
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
    } catch {
      say(section.dataset.unavailable);
      halt();
      return;
    }
    video.srcObject = stream;
    video.hidden = false;
    start.hidden = true;
    stop.hidden = false;
    await video.play().catch(() => {});
    say(section.dataset.scanning);
    scan();
  });
  stop.addEventListener('click', () => {
    halt();
    say('');
  });
  window.addEventListener('pagehide', halt);
})();
