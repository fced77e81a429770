// Listening: playback speed, the remembered position of each recording, and reading aloud
// with the device's voice where a stop has text but no recording.
import { locale, t } from "./common.js";

const SPEEDS = [0.75, 1, 1.25, 1.5, 2];
const SPEED_KEY = "dalil:speed";
const POSITION_PREFIX = "dalil:position:";
// Too close to either end is not worth resuming.
const MIN_RESUME_S = 5;
const END_MARGIN_S = 5;

function formatTime(seconds) {
  const whole = Math.floor(seconds);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}

function store(key, value) {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // Private browsing or full storage: the feature simply does not stick.
  }
}

function read(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function enhanceAudio(audio, index) {
  const section = audio.closest(".audio-guide");
  const player = section.querySelector("[data-player]");
  const controls = document.createElement("div");
  controls.className = "listen-controls";
  const id = `listen-speed-${index}`;
  const label = document.createElement("label");
  label.htmlFor = id;
  label.textContent = t("speed");
  const select = document.createElement("select");
  select.id = id;
  const format = new Intl.NumberFormat(locale(), { maximumFractionDigits: 2 });
  for (const speed of SPEEDS) select.add(new Option(`${format.format(speed)}×`, String(speed)));
  const saved = Number(read(SPEED_KEY)) || 1;
  select.value = String(SPEEDS.includes(saved) ? saved : 1);
  audio.playbackRate = Number(select.value);
  select.addEventListener("change", () => {
    audio.playbackRate = Number(select.value);
    store(SPEED_KEY, select.value);
  });
  // The element resets its rate when it loads a source.
  audio.addEventListener("loadedmetadata", () => {
    audio.playbackRate = Number(select.value);
  });
  const restart = document.createElement("button");
  restart.type = "button";
  restart.className = "button button-secondary";
  restart.textContent = t("start_over");
  restart.hidden = true;
  const note = document.createElement("p");
  note.className = "meta listen-note";
  note.setAttribute("role", "status");
  controls.append(label, select, restart);
  (player || audio).after(controls, note);
  if (player) enhancePlayer(audio, section, player);

  const key = POSITION_PREFIX + new URL(audio.currentSrc || audio.src, location.href).pathname;
  const resume = () => {
    const position = Number(read(key));
    if (position >= MIN_RESUME_S && (!audio.duration || position < audio.duration - END_MARGIN_S)) {
      audio.currentTime = position;
      note.textContent = t("resumed", { time: formatTime(position) });
      restart.hidden = false;
    }
  };
  if (audio.readyState >= 1) resume();
  else audio.addEventListener("loadedmetadata", resume, { once: true });
  restart.addEventListener("click", () => {
    audio.currentTime = 0;
    store(key, null);
    note.textContent = "";
    restart.hidden = true;
  });
  let lastSaved = 0;
  audio.addEventListener("timeupdate", () => {
    // A write every few seconds is enough to come back to the right sentence.
    if (Math.abs(audio.currentTime - lastSaved) < 3) return;
    lastSaved = audio.currentTime;
    store(key, String(Math.floor(audio.currentTime)));
  });
  audio.addEventListener("ended", () => store(key, null));
  section?.classList.add("listen-enhanced");
}

/** The large play button, the seek bar, the compact player, the lock screen and the transcript. */
function enhancePlayer(audio, section, player) {
  const buttons = section.querySelectorAll("[data-play]");
  const seek = player.querySelector("[data-seek]");
  const total = player.querySelector("[data-total]");
  const currents = section.querySelectorAll("[data-current]");
  const mini = section.querySelector("[data-mini-player]");
  const sentences = [...section.querySelectorAll(".sentence[data-start]")];
  const starts = sentences.map((sentence) => Number(sentence.dataset.start));
  const toggle = () => (audio.paused ? audio.play() : audio.pause());

  audio.controls = false;
  audio.hidden = true;
  player.hidden = false;
  for (const button of buttons) button.addEventListener("click", () => toggle()?.catch?.(() => {}));

  const showState = () => {
    const playing = !audio.paused;
    for (const button of buttons) {
      button.dataset.state = playing ? "playing" : "paused";
      button.setAttribute("aria-label", playing ? button.dataset.labelPause : button.dataset.labelPlay);
    }
    if ("mediaSession" in navigator) navigator.mediaSession.playbackState = playing ? "playing" : "paused";
  };
  const showDuration = () => {
    if (!Number.isFinite(audio.duration)) return;
    total.textContent = formatTime(audio.duration);
    seek.max = String(Math.floor(audio.duration));
  };
  let current = -1;
  const showTime = () => {
    const text = formatTime(audio.currentTime);
    for (const element of currents) element.textContent = text;
    if (document.activeElement !== seek) seek.value = String(Math.floor(audio.currentTime));
    // The sentence being spoken: the last one that started at or before now.
    let index = -1;
    while (index + 1 < starts.length && starts[index + 1] <= audio.currentTime + 0.05) index += 1;
    if (index !== current) {
      sentences[current]?.classList.remove("is-current");
      sentences[current]?.removeAttribute("aria-current");
      sentences[index]?.classList.add("is-current");
      sentences[index]?.setAttribute("aria-current", "true");
      current = index;
    }
  };
  audio.addEventListener("play", showState);
  audio.addEventListener("pause", showState);
  audio.addEventListener("ended", showState);
  audio.addEventListener("timeupdate", showTime);
  audio.addEventListener("seeked", showTime);
  audio.addEventListener("loadedmetadata", showDuration);
  audio.addEventListener("durationchange", showDuration);
  if (audio.readyState >= 1) showDuration();
  seek.addEventListener("input", () => {
    audio.currentTime = Number(seek.value);
  });

  const seekTo = (seconds) => {
    audio.currentTime = Math.max(0, Math.min(seconds, audio.duration || seconds));
    showTime();
  };
  for (const [index, sentence] of sentences.entries()) {
    const jump = () => {
      seekTo(starts[index]);
      if (audio.paused) audio.play().catch(() => {});
    };
    sentence.addEventListener("click", jump);
    sentence.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        jump();
      }
    });
  }

  // The lock screen and headphones show and drive what plays.
  audio.addEventListener("play", () => {
    const transcript = section.querySelector("details.transcript");
    if (transcript) transcript.open = true;
    if (!("mediaSession" in navigator) || typeof MediaMetadata !== "function") return;
    const { title, album, artist, artwork } = section.dataset;
    navigator.mediaSession.metadata = new MediaMetadata({
      title, album, artist, artwork: artwork ? [{ src: new URL(artwork, location.href).href }] : [],
    });
    const handlers = {
      play: () => audio.play(),
      pause: () => audio.pause(),
      seekbackward: (details) => seekTo(audio.currentTime - (details.seekOffset || 10)),
      seekforward: (details) => seekTo(audio.currentTime + (details.seekOffset || 10)),
      seekto: (details) => seekTo(details.seekTime),
    };
    for (const [action, handler] of Object.entries(handlers)) {
      try {
        navigator.mediaSession.setActionHandler(action, handler);
      } catch {
        // An action this browser does not know.
      }
    }
  });

  // The compact player stays at the bottom of the screen once the large one has scrolled away.
  if (mini && "IntersectionObserver" in window) {
    new IntersectionObserver(([entry]) => {
      const gone = !entry.isIntersecting && entry.boundingClientRect.bottom < 0;
      mini.hidden = !gone;
      document.body.classList.toggle("has-mini-player", gone);
    }).observe(player);
  }
  showState();
}

function voiceFor(lang) {
  const primary = lang.toLowerCase().split("-")[0];
  return speechSynthesis.getVoices().find((voice) => voice.lang.toLowerCase().split(/[-_]/)[0] === primary);
}

/** Offer "Read aloud" for text with no recording: the transcript, else the stop's story. */
function offerReadAloud(source, anchor) {
  const lang = source.closest("[lang]")?.lang || document.documentElement.lang;
  const bar = document.createElement("div");
  bar.className = "listen-controls read-aloud";
  const play = document.createElement("button");
  play.type = "button";
  play.className = "button";
  play.dataset.readAloud = "";
  play.textContent = t("read_aloud");
  const stop = document.createElement("button");
  stop.type = "button";
  stop.className = "button button-secondary";
  stop.textContent = t("stop_reading");
  stop.hidden = true;
  const note = document.createElement("p");
  note.className = "meta listen-note";
  note.setAttribute("role", "status");
  bar.append(play, stop);
  anchor.before(bar, note);

  const reset = () => {
    play.textContent = t("read_aloud");
    play.dataset.readAloud = "";
    stop.hidden = true;
  };
  play.addEventListener("click", () => {
    if (speechSynthesis.speaking && !speechSynthesis.paused) {
      speechSynthesis.pause();
      play.textContent = t("resume_reading");
      return;
    }
    if (speechSynthesis.paused) {
      speechSynthesis.resume();
      play.textContent = t("pause");
      return;
    }
    const voice = voiceFor(lang);
    if (!voice && speechSynthesis.getVoices().length) {
      note.textContent = t("no_voice");
      return;
    }
    const utterance = new SpeechSynthesisUtterance(source.innerText);
    utterance.lang = lang;
    if (voice) utterance.voice = voice;
    utterance.addEventListener("end", reset);
    utterance.addEventListener("error", reset);
    speechSynthesis.cancel();
    speechSynthesis.speak(utterance);
    note.textContent = "";
    play.textContent = t("pause");
    play.dataset.readAloud = "speaking";
    stop.hidden = false;
  });
  stop.addEventListener("click", () => {
    speechSynthesis.cancel();
    reset();
  });
  // Leaving the page must not leave the phone talking.
  addEventListener("pagehide", () => speechSynthesis.cancel());
}

export function initListening() {
  document.querySelectorAll(".audio-guide audio").forEach(enhanceAudio);
  if (!("speechSynthesis" in window) || document.querySelector(".audio-guide audio")) return;
  const transcript = document.querySelector(".audio-guide .transcript-text");
  const story = document.querySelector("article .story");
  const source = transcript || story;
  if (!source) return;
  offerReadAloud(source, transcript ? transcript.closest("details") : story);
}
