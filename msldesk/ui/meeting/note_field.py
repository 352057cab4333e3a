"""NoteField: the meeting's typing field (Enter files the entry, Shift+Enter breaks the line), with
"@" and "#" completion and restricted terms underlined as they are typed."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QStringListModel, Qt, Signal
from PySide6.QtGui import (
    QKeyEvent,
    QKeySequence,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import QAbstractItemView, QCompleter, QPlainTextEdit, QWidget

from msldesk.boards.meeting.guard import RestrictedTerms
from msldesk.core.folding import fold
from msldesk.ui.actions import KIND_ORDER, key_sequences
from msldesk.ui.theme import colour, palette

MAX_PREFIX = 40  # "@" followed by more than this is not a name being typed
MAX_SUGGESTIONS = 12


class RestrictedHighlighter(QSyntaxHighlighter):
    """Marks restricted words and phrases: a cheap regex per line, so it runs on every keystroke."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self.terms = RestrictedTerms(())
        self.mark = QTextCharFormat()  # not `format`: that is the highlighter's own method
        look = palette()
        self.mark.setBackground(colour(look.error_bg))
        self.mark.setForeground(colour(look.error_text))
        self.mark.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        self.mark.setUnderlineColor(colour(look.error))

    def set_terms(self, terms: RestrictedTerms) -> None:
        if terms != self.terms:
            self.terms = terms
            self.rehighlight()

    def highlightBlock(self, text: str) -> None:
        for start, end in self.terms.spans(text):
            self.setFormat(start, end - start, self.mark)


class NoteField(QPlainTextEdit):
    submitted = Signal(str)  # Enter: the whole text
    escape_pressed = Signal()  # Esc with no completion open: the window forgets the chosen kind

    # Keys the window owns even while typing here: moving through the agenda and choosing the kind.
    # Except that a note being typed keeps Ctrl+Left/Right for moving by word, as every editor does:
    # a typist's word jump must not end the agenda item and stamp its time.
    WORD_MOVES = (QKeySequence.StandardKey.MoveToNextWord, QKeySequence.StandardKey.MoveToPreviousWord)
    WINDOW_KEYS = key_sequences(
        "meeting.next", "meeting.previous", *(f"meeting.kind.{n}" for n in range(1, len(KIND_ORDER) + 1))
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setPlaceholderText(
            'Type a note and press Enter. Start with ! insight, " quote, ? question, > action; '
            "@ names the speaker, # a theme. Shift+Enter starts a new line."
        )
        self.highlighter = RestrictedHighlighter(self.document())
        self._people: list[str] = []
        self._themes: list[str] = []
        self._taxonomy: set[str] = set()
        self._trigger: tuple[str, int] | None = None  # ("@" or "#", position of the sign)
        self.suggestions = QStringListModel(self)
        self.completer = QCompleter(self.suggestions, self)
        self.completer.setWidget(self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setMaxVisibleItems(MAX_SUGGESTIONS)
        self.completer.activated[str].connect(self.insert_completion)  # type: ignore[index]

    def _popup(self) -> QAbstractItemView:
        popup = self.completer.popup()  # QCompleter makes its list when first asked
        assert popup is not None
        return popup

    # ---- what may be completed ------------------------------------------------------------------

    def set_people(self, names: Sequence[str]) -> None:
        self._people = list(names)

    def set_themes(self, names: Sequence[str], taxonomy: Sequence[str] = ()) -> None:
        self._themes = list(names)
        self._taxonomy = {fold(t) for t in taxonomy}

    def set_terms(self, terms: RestrictedTerms) -> None:
        self.highlighter.set_terms(terms)

    def popup_visible(self) -> bool:
        return self._popup().isVisible()

    def suggestion_list(self) -> list[str]:
        return self.suggestions.stringList()

    # ---- keys -----------------------------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Tab
            and self.popup_visible()
        ):
            self.accept_suggestion()  # before Tab moves the focus on
            return True
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            if not self.document().isEmpty() and any(event.matches(move) for move in self.WORD_MOVES):
                event.accept()  # the text edit moves the cursor; the agenda stays where it is
                return True
            pressed = QKeySequence(event.keyCombination())
            if any(pressed.matches(k) == QKeySequence.SequenceMatch.ExactMatch for k in self.WINDOW_KEYS):
                event.ignore()  # let the window's shortcut have it
                return False
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, modifiers = event.key(), event.modifiers()
        enter = key in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if self.popup_visible():
            if enter or key == Qt.Key.Key_Tab:
                self.accept_suggestion()
                event.accept()
                return
            if key == Qt.Key.Key_Escape:
                self._popup().hide()
                event.accept()
                return
        if enter and modifiers & Qt.KeyboardModifier.ShiftModifier:
            self.insertPlainText("\n")
            event.accept()
            return
        if enter and not modifiers & ~Qt.KeyboardModifier.KeypadModifier:
            self.submitted.emit(self.toPlainText())
            event.accept()
            return
        if key == Qt.Key.Key_Escape:
            self.escape_pressed.emit()
            event.accept()
            return
        super().keyPressEvent(event)
        self.update_completion()

    # ---- completion -----------------------------------------------------------------------------

    def _typing_context(self) -> tuple[str, int, str] | None:
        """(sign, its position in the document, what follows it) when the cursor is in a mention."""
        cursor = self.textCursor()
        if cursor.hasSelection():
            return None
        before = cursor.block().text()[: cursor.positionInBlock()]
        at = max(before.rfind("@"), before.rfind("#"))
        if at < 0 or (at > 0 and (before[at - 1].isalnum() or before[at - 1] in "@#")):
            return None  # no sign, or part of a word ("name@example.org", "C#")
        prefix = before[at + 1 :]
        if len(prefix) > MAX_PREFIX or prefix[:1].isspace():
            return None
        return before[at], cursor.block().position() + at, prefix

    def candidates(self, sign: str, prefix: str) -> list[str]:
        """Names (or themes) with a word starting with what was typed, accents and case ignored;
        names starting with it first."""
        pool = self._people if sign == "@" else self._themes
        wanted = fold(prefix).strip()
        if not wanted:
            return list(pool)
        starts = [n for n in pool if fold(n).startswith(wanted)]
        words = [
            n
            for n in pool
            if n not in starts and any(w.startswith(wanted) for w in fold(n).replace("-", " ").split())
        ]
        return starts + words

    def update_completion(self) -> None:
        context = self._typing_context()
        found = self.candidates(context[0], context[2]) if context else []
        if context and len(found) == 1 and fold(found[0]) == fold(context[2]).strip():
            found = []  # typed out in full already
        if not context or not found:
            self._trigger = None
            self._popup().hide()
            return
        self._trigger = (context[0], context[1])
        self.suggestions.setStringList(found[: MAX_SUGGESTIONS * 4])
        rect = self.cursorRect()
        rect.setWidth(max(260, self._popup().sizeHintForColumn(0) + 24))
        self.completer.complete(rect)
        self._popup().setCurrentIndex(self.suggestions.index(0))

    def accept_suggestion(self) -> None:
        index = self._popup().currentIndex()
        row = index.row() if index.isValid() else 0
        names = self.suggestions.stringList()
        if 0 <= row < len(names):
            self.insert_completion(names[row])
        self._popup().hide()

    def insert_completion(self, name: str) -> None:
        if self._trigger is None:
            return
        sign, position = self._trigger
        if sign == "#" and fold(name) not in self._taxonomy and len(name.split()) > 1:
            # A new theme is read up to the first space unless quoted: keep its words together.
            name = f'"{name}"'
        cursor = self.textCursor()
        cursor.setPosition(position, QTextCursor.MoveMode.KeepAnchor)
        cursor.insertText(f"{sign}{name} ")
        self.setTextCursor(cursor)
        self._trigger = None
        self._popup().hide()
