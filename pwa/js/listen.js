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
  audio.after(controls, note);

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
