#include "ShortcutList.h"

#include <QAbstractButton>
#include <QAction>
#include <QKeySequence>
#include <QMap>
#include <QShortcut>
#include <QStringList>
#include <QWidget>

namespace {

// "&Save Session As…" -> "Save Session As"; a tooltip's own "(Ctrl+P)" hint is dropped: the table shows the key.
QString describe(QString text)
{
    text.remove(QLatin1Char('&'));
    text.remove(QChar(0x2026));
    const int hint = text.lastIndexOf(QStringLiteral(" ("));
    if (hint > 0 && text.endsWith(QLatin1Char(')')) && text.mid(hint).contains(QLatin1Char('+')))
        text.truncate(hint);
    return text.trimmed();
}

void add(QMap<QString, QStringList>& rows, const QKeySequence& keys, const QString& description)
{
    if (keys.isEmpty() || description.isEmpty())
        return;
    QStringList& meanings = rows[keys.toString(QKeySequence::NativeText)];
    if (!meanings.contains(description))
        meanings << description;
}

} // namespace

QString ShortcutList::html(const QWidget* window)
{
    QMap<QString, QStringList> rows;
    for (const QAction* action : window->findChildren<QAction*>())
        for (const QKeySequence& keys : action->shortcuts())
            add(rows, keys, describe(action->text()));
    // Panel buttons (Train, Pause, Stop, Reset) carry their shortcuts themselves; their tooltip says what they do.
    for (const QAbstractButton* button : window->findChildren<QAbstractButton*>())
        add(rows, button->shortcut(), describe(button->toolTip().isEmpty() ? button->text() : button->toolTip()));
    // Window-level QShortcut objects say what they do in their What's This text.
    for (const QShortcut* shortcut : window->findChildren<QShortcut*>())
        for (const QKeySequence& keys : shortcut->keys())
            add(rows, keys, describe(shortcut->whatsThis()));
    add(rows, QKeySequence(Qt::Key_F1), QObject::tr("This list"));

    QString html = QStringLiteral("<table>");
    for (auto it = rows.cbegin(); it != rows.cend(); ++it)
        html += QStringLiteral("<tr><td><b>%1</b></td><td>%2</td></tr>")
                    .arg(it.key().toHtmlEscaped(), it.value().join(QStringLiteral("; ")).toHtmlEscaped());
    return html + QStringLiteral("</table>");
}
