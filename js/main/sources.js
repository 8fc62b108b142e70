// Sources attach() connected to a tap: kept so that close() can disconnect them, and, for a
// MediaStream source, its audio tracks watched so that the tap can say when one ends. A
// track ends when its device goes away or its permission is revoked (an `ended` event) or
// when page code calls track.stop(), which fires no event: so the tracks are also looked at
// every TRACK_POLL_MS, not per batch, since a stopped track may leave the node without
// input, and then no batch comes.

import { reportEvent } from './events.js';

const TRACK_POLL_MS = 100;

/** PitchTap.attach(): connects `source` (an AudioNode or a MediaStream) and keeps it. */
export function attach(tap, source) {
  if (typeof MediaStream === 'function' && source instanceof MediaStream) {
    if (typeof tap.context.createMediaStreamSource !== 'function') {
      throw new TypeError(
        'pitchtap: attach(): a MediaStream needs an AudioContext (this context cannot play one)',
      );
    }
    source = tap.context.createMediaStreamSource(source);
  }
  if (source === null || typeof source !== 'object' || typeof source.connect !== 'function') {
    throw new TypeError('pitchtap: attach() takes an AudioNode or a MediaStream');
  }
  source.connect(tap.node); // throws for a node of another context
  if (tap._sources.has(source)) return source;
  tap._sources.add(source);
  const stream = source.mediaStream;
  if (stream && typeof stream.getAudioTracks === 'function') {
    for (const track of stream.getAudioTracks()) {
      const t = { track, source, ended: false, onEnded: null };
      t.onEnded = () => trackEnded(tap, t);
      track.addEventListener('ended', t.onEnded);
      tap._tracks.push(t);
    }
    // A track that had ended before is said at the first look.
    tap._trackTimer ??= setInterval(() => pollTracks(tap), TRACK_POLL_MS);
  }
  return source;
}

/** PitchTap.detach(): disconnects a source attach() connected; false if it was not. */
export function detach(tap, source) {
  if (!tap._sources.delete(source)) return false;
  try {
    source.disconnect(tap.node);
  } catch {
    /* already disconnected */
  }
  tap._tracks = tap._tracks.filter((t) => {
    if (t.source !== source) return true;
    t.track.removeEventListener('ended', t.onEnded);
    return false;
  });
  if (tap._tracks.length === 0) stopTrackTimer(tap);
  return true;
}

/** Tracks that ended since the last look (`readyState`: stop() fires no event). */
function pollTracks(tap) {
  for (const t of tap._tracks) if (!t.ended && t.track.readyState === 'ended') trackEnded(tap, t);
  if (tap._tracks.every((t) => t.ended)) stopTrackTimer(tap);
}

export function stopTrackTimer(tap) {
  if (tap._trackTimer !== null) {
    clearInterval(tap._trackTimer);
    tap._trackTimer = null;
  }
}

function trackEnded(tap, t) {
  if (t.ended || tap._closed) return;
  t.ended = true;
  t.track.removeEventListener('ended', t.onEnded);
  tap._sourcesEnded++;
  reportEvent(tap, 'sourceended', {
    source: t.source,
    track: t.track,
    kind: t.track.kind,
    label: t.track.label,
    time: tap.context.currentTime,
  });
}
