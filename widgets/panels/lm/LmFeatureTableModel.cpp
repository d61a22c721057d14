#include "LmFeatureTableModel.h"

#include "LmDashboardData.h"

LmFeatureTableModel::LmFeatureTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void LmFeatureTableModel::setData(std::shared_ptr<const LmDashboardData> data)
{
    beginResetModel();
    m_data = std::move(data);
    endResetModel();
}

int LmFeatureTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() || !m_data ? 0 : m_data->features();
}

int LmFeatureTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

namespace {

QString quoted(const QStringList& tokens)
{
    QStringList out;
    for (const QString& t : tokens)
        out << LmDashboardData::visible(t);
    return out.join(QStringLiteral("  "));
}

} // namespace

QVariant LmFeatureTableModel::data(const QModelIndex& index, int role) const
{
    if (!m_data || !index.isValid() || index.row() >= m_data->features())
        return {};
    const LmFeatureSummary& s = m_data->summaries()[std::size_t(index.row())];
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Index: return s.index;
        case Density: return s.activeTokens == 0 ? tr("dead") : QString::number(s.density, 'g', 3);
        case MaxActivation: return QString::number(double(s.maxActivation), 'g', 4);
        case TopLogits:
            if (!m_data->tableHasLogits())
                return tr("(shown on the feature's card)");
            return s.topLogits.isEmpty() ? tr("(no direct path)") : quoted(s.topLogits);
        default: return {};
        }
    }
    if (role == Qt::UserRole) {
        switch (index.column()) {
        case Index: return s.index;
        case Density: return s.density;
        case MaxActivation: return double(s.maxActivation);
        case TopLogits: return s.topLogits.join(QLatin1Char(' '));
        default: return {};
        }
    }
    if (role == Qt::TextAlignmentRole && index.column() != TopLogits)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole && index.column() == TopLogits && !s.topLogits.isEmpty())
        return tr("Tokens whose logits this feature's decoder direction raises most: %1").arg(quoted(s.topLogits));
    return {};
}

QVariant LmFeatureTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case Index: return tr("Feature");
        case Density: return tr("Density");
        case MaxActivation: return tr("Max act.");
        case TopLogits: return tr("Top logits");
        default: return {};
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case Index: return tr("The feature's index in the SAE");
        case Density: return tr("Fraction of scanned tokens where the feature is active");
        case MaxActivation: return tr("The feature's largest code over the scanned tokens");
        case TopLogits: return tr("Direct logit effects: the tokens the feature's decoder direction promotes most");
        default: return {};
        }
    }
    return {};
}
