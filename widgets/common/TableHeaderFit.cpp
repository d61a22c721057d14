#include "TableHeaderFit.h"

#include <QEvent>
#include <QHeaderView>
#include <QScrollBar>
#include <QTableView>

#include <algorithm>

TableHeaderFit* TableHeaderFit::install(QTableView* table, QList<int> toContents)
{
    return new TableHeaderFit(table, std::move(toContents));
}

TableHeaderFit::TableHeaderFit(QTableView* table, QList<int> toContents)
    : QObject(table), m_table(table), m_toContents(std::move(toContents))
{
    QHeaderView* header = table->horizontalHeader();
    header->setMinimumSectionSize(40);
    header->setStretchLastSection(false);
    header->setSectionResizeMode(QHeaderView::Interactive);
    table->installEventFilter(this);
    table->viewport()->installEventFilter(this);
    header->installEventFilter(this);
    // Hiding a column resizes its section to 0; a new model brings new titles.
    connect(header, &QHeaderView::sectionResized, this, [this] { refit(); });
    connect(header, &QHeaderView::sectionCountChanged, this, [this] { refit(); });
    connect(header, &QHeaderView::sortIndicatorChanged, this, [this] { refit(); });
    if (QAbstractItemModel* model = table->model()) { // content-sized columns follow their data
        connect(model, &QAbstractItemModel::modelReset, this, [this] { refit(); });
        connect(model, &QAbstractItemModel::layoutChanged, this, [this] { refit(); });
        connect(model, &QAbstractItemModel::dataChanged, this, [this] { refit(); });
        connect(model, &QAbstractItemModel::rowsInserted, this, [this] { refit(); });
    }
    refit();
}

int TableHeaderFit::neededWidth(int column) const
{
    const int title = m_table->horizontalHeader()->sectionSizeHint(column);
    // QTableView makes sizeHintForColumn protected; QAbstractItemView's is public.
    return m_toContents.contains(column)
               ? std::max(title, static_cast<const QAbstractItemView*>(m_table)->sizeHintForColumn(column))
               : title;
}

int TableHeaderFit::minimumTableWidth() const
{
    const QHeaderView* header = m_table->horizontalHeader();
    int width = 0;
    for (int c = 0; c < header->count(); ++c)
        if (!header->isSectionHidden(c))
            width += neededWidth(c);
    return width + 2 * m_table->frameWidth() + m_table->verticalScrollBar()->sizeHint().width();
}

void TableHeaderFit::refit()
{
    if (m_fitting)
        return;
    m_fitting = true;
    QHeaderView* header = m_table->horizontalHeader();
    const int minimum = minimumTableWidth();
    if (m_table->minimumWidth() != minimum)
        m_table->setMinimumWidth(minimum);
    std::vector<int> needed(std::size_t(header->count()), 0);
    int total = 0, visible = 0;
    for (int c = 0; c < header->count(); ++c) {
        if (header->isSectionHidden(c))
            continue;
        needed[std::size_t(c)] = neededWidth(c);
        total += needed[std::size_t(c)];
        ++visible;
    }
    // Share what the viewport has beyond the titles evenly (the last column takes the rounding).
    const int spare = std::max(0, m_table->viewport()->width() - total);
    int given = 0, seen = 0;
    for (int c = 0; c < header->count(); ++c) {
        if (header->isSectionHidden(c))
            continue;
        ++seen;
        const int extra = seen == visible ? spare - given : (visible > 0 ? spare / visible : 0);
        given += extra;
        if (header->sectionSize(c) != needed[std::size_t(c)] + extra)
            header->resizeSection(c, needed[std::size_t(c)] + extra);
    }
    m_fitting = false;
}

bool TableHeaderFit::eventFilter(QObject* watched, QEvent* event)
{
    switch (event->type()) {
    case QEvent::Resize:
    case QEvent::FontChange:
    case QEvent::StyleChange:
    case QEvent::Show:
        refit();
        break;
    default:
        break;
    }
    return QObject::eventFilter(watched, event);
}
