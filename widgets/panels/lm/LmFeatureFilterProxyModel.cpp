#include "LmFeatureFilterProxyModel.h"

#include "LmDashboardData.h"
#include "LmFeatureTableModel.h"

LmFeatureFilterProxyModel::LmFeatureFilterProxyModel(QObject* parent) : QSortFilterProxyModel(parent)
{
    setSortRole(Qt::UserRole);
}

void LmFeatureFilterProxyModel::setQuery(const QString& query)
{
    if (query == m_query)
        return;
    m_query = query;
    invalidateFilter();
}

bool LmFeatureFilterProxyModel::filterAcceptsRow(int sourceRow, const QModelIndex&) const
{
    if (m_query.isEmpty())
        return true;
    const auto* model = qobject_cast<const LmFeatureTableModel*>(sourceModel());
    const LmDashboardData* data = model ? model->dashboardData() : nullptr;
    if (!data || sourceRow < 0 || sourceRow >= data->features())
        return false;
    bool isNumber = false;
    const int index = m_query.trimmed().toInt(&isNumber);
    if (isNumber && m_query.trimmed() == m_query)
        return index == sourceRow;
    return data->summaries()[std::size_t(sourceRow)].mentions(m_query);
}
