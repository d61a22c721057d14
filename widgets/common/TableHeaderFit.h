#pragma once

#include <QList>
#include <QObject>

class QTableView;

// Keeps every column of a table at least as wide as its header title (and sort indicator) in the current font:
// the table's minimum width is the sum of those widths, and the space beyond it is shared out evenly, as a
// stretched header would (a stretched header alone splits the width evenly and cut "Coherence" and "True match" in a
// narrow splitter pane). Refits when the font, the size, the columns or their visibility change.
class TableHeaderFit : public QObject {
    Q_OBJECT
public:
    // Installs itself on `table` (and is owned by it; set the table's model first). Columns listed in `toContents`
    // are as wide as their content when that is wider than the title.
    static TableHeaderFit* install(QTableView* table, QList<int> toContents = {});
    // The width every visible column needs for its title, frame and scroll bar included.
    int minimumTableWidth() const;
    void refit();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    TableHeaderFit(QTableView* table, QList<int> toContents);
    int neededWidth(int column) const;
    QTableView* m_table;
    QList<int> m_toContents;
    bool m_fitting = false;
};
