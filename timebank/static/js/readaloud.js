// 朗读 (read-aloud) in elder mode: reads the page's main content, sentence by sentence, in the page's
// language with the browser's own speech synthesis (the phone's offline voices; no external service).
// The sentence being read is highlighted (CSS Custom Highlight API; else its block is marked). Form labels,
// hints and error messages are text inside <main>, so they are read in order. Where speech or a voice for
// the language is missing, the page says so in a live region.
(function () {
  "use strict";
  var SKIP = "script, style, noscript, template, select, option, textarea, svg, [aria-hidden=true], [hidden], [data-no-read]";
  var END = /[。！？!?；;…]/;

  function sentencesOf(main) {
    // Text nodes grouped by their nearest block ancestor, then split into sentences; each sentence keeps
    // the DOM range it covers so it can be highlighted while it is read.
    var groups = [], current = null;
    var walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT, {
      acceptNode: function (node) {
        var el = node.parentElement;
        if (!el || !node.textContent.trim() || el.closest(SKIP)) return NodeFilter.FILTER_REJECT;
        if (!el.getClientRects().length) return NodeFilter.FILTER_REJECT;
        return NodeFilter.FILTER_ACCEPT;
      }
    });
    while (walker.nextNode()) {
      var node = walker.currentNode, block = node.parentElement;
      while (block !== main && getComputedStyle(block).display.indexOf("inline") === 0) block = block.parentElement;
      if (!current || current.block !== block) {
        current = { block: block, nodes: [], text: "" };
        groups.push(current);
      }
      current.nodes.push({ node: node, start: current.text.length });
      current.text += node.textContent;
    }
    var out = [];
    groups.forEach(function (group) {
      var text = group.text, begin = 0;
      for (var i = 0; i <= text.length; i++) {
        var ch = text.charAt(i);
        var stop = i === text.length || END.test(ch) || ch === "\n" ||
          (ch === "." && (i + 1 === text.length || /\s/.test(text.charAt(i + 1))));
        if (!stop) continue;
        var end = i < text.length ? i + 1 : i;
        var said = text.slice(begin, end).replace(/\s+/g, " ").trim();
        if (/[\p{L}\p{N}]/u.test(said)) out.push({ text: said, range: rangeOf(group, begin, end), block: group.block });
        begin = end;
      }
    });
    return out;
  }

  function point(group, offset) {
    for (var i = group.nodes.length - 1; i >= 0; i--) {
      if (group.nodes[i].start <= offset) {
        var n = group.nodes[i];
        return { node: n.node, offset: Math.min(offset - n.start, n.node.textContent.length) };
      }
    }
    return { node: group.nodes[0].node, offset: 0 };
  }

  function rangeOf(group, begin, end) {
    var range = document.createRange(), a = point(group, begin), b = point(group, end);
    range.setStart(a.node, a.offset);
    range.setEnd(b.node, b.offset);
    return range;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("readaloud");
    var play = document.getElementById("readaloud-play");
    var main = document.querySelector("main");
    if (!box || !play || !main) return;
    var controls = box.querySelector(".readaloud-controls");
    var pauseBtn = document.getElementById("readaloud-pause");
    var stopBtn = document.getElementById("readaloud-stop");
    var status = document.getElementById("readaloud-status");
    var lang = document.documentElement.lang || "zh-CN";
    var prefix = lang.slice(0, 2).toLowerCase();
    var highlights = window.CSS && CSS.highlights && typeof window.Highlight === "function";
    var run = 0, paused = false, marked = null;

    function say(key) { status.textContent = box.getAttribute("data-" + key) || ""; }
    function mark(sentence) {
      if (marked) marked.classList.remove("reading-now");
      marked = null;
      if (highlights) {
        if (sentence) CSS.highlights.set("readaloud", new Highlight(sentence.range));
        else CSS.highlights.delete("readaloud");
      } else if (sentence) {
        marked = sentence.block;
        marked.classList.add("reading-now");
      }
      if (sentence && sentence.block.scrollIntoView) sentence.block.scrollIntoView({ block: "nearest" });
    }
    function finish(key) {
      run += 1;
      paused = false;
      mark(null);
      controls.hidden = true;
      pauseBtn.textContent = box.getAttribute("data-pause");
      say(key);
    }
    function voices(done) {
      var list = window.speechSynthesis.getVoices() || [];
      if (list.length) return done(list);
      var answered = false;
      function answer() {
        if (answered) return;
        answered = true;
        done(window.speechSynthesis.getVoices() || []);
      }
      if (window.speechSynthesis.addEventListener) window.speechSynthesis.addEventListener("voiceschanged", answer);
      setTimeout(answer, 1500);
    }
    function voiceFor(list) {
      var exact = null, near = null;
      list.forEach(function (v) {
        var vl = (v.lang || "").replace("_", "-").toLowerCase();
        if (vl === lang.toLowerCase() && !exact) exact = v;
        if (vl.slice(0, 2) === prefix && !near) near = v;
      });
      return exact || near;
    }
    function speak(sentences, index, voice, mine) {
      if (mine !== run) return;
      if (index >= sentences.length) return finish("done");
      var sentence = sentences[index];
      var utterance = new window.SpeechSynthesisUtterance(sentence.text);
      utterance.lang = lang;
      utterance.voice = voice;
      utterance.rate = 0.9;
      utterance.onend = function () { speak(sentences, index + 1, voice, mine); };
      utterance.onerror = function (event) {
        if (mine !== run) return;
        if (event && (event.error === "interrupted" || event.error === "canceled")) return;
        finish("no-voice");
      };
      mark(sentence);
      window.speechSynthesis.speak(utterance);
    }

    if (!("speechSynthesis" in window) || typeof window.SpeechSynthesisUtterance !== "function") {
      play.hidden = false;
      play.addEventListener("click", function () { say("no-speech"); });
      return;
    }
    play.hidden = false;
    play.addEventListener("click", function () {
      window.speechSynthesis.cancel();
      var mine = ++run;
      paused = false;
      voices(function (list) {
        if (mine !== run) return;
        var voice = voiceFor(list);
        if (!voice) return finish("no-voice");
        var sentences = sentencesOf(main);
        if (!sentences.length) return finish("empty");
        controls.hidden = false;
        pauseBtn.textContent = box.getAttribute("data-pause");
        say("reading");
        speak(sentences, 0, voice, mine);
      });
    });
    pauseBtn.addEventListener("click", function () {
      if (paused) {
        window.speechSynthesis.resume();
        paused = false;
        pauseBtn.textContent = box.getAttribute("data-pause");
        say("reading");
      } else {
        window.speechSynthesis.pause();
        paused = true;
        pauseBtn.textContent = box.getAttribute("data-resume");
        say("paused");
      }
    });
    stopBtn.addEventListener("click", function () {
      finish("stopped");
      window.speechSynthesis.cancel();
      play.focus();
    });
  });
})();
