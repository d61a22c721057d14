#include "FeatureTableModel.h"

#include <QColor>

#include <cmath>
#include <limits>

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}

FeatureTableModel::FeatureTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void FeatureTableModel::setSnapshot(std::shared_ptr<const FeatureSnapshot> snapshot)
{
    const int oldRows = rowCount();
    const int newRows = snapshot ? snapshot->latentDim() : 0;
    const bool oldTruth = m_snapshot && m_snapshot->hasGroundTruth();
    const bool oldLabels = m_snapshot && m_snapshot->hasLabels();
    if (oldRows == newRows && newRows > 0 && oldTruth == snapshot->hasGroundTruth() && oldLabels == snapshot->hasLabels()) {
        m_snapshot = std::move(snapshot);
        Q_EMIT dataChanged(index(0, 0), index(newRows - 1, ColumnCount - 1));
        return;
    }
    beginResetModel();
    m_snapshot = std::move(snapshot);
    endResetModel();
    Q_EMIT headerDataChanged(Qt::Horizontal, 0, ColumnCount - 1);
}

int FeatureTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() || !m_snapshot ? 0 : m_snapshot->latentDim();
}

int FeatureTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

double FeatureTableModel::value(int row, int column) const
{
    if (!m_snapshot || row < 0 || row >= m_snapshot->latentDim())
        return kNaN;
    const auto r = std::size_t(row);
    switch (column) {
    case Index:
        return row;
    case Density:
        return m_snapshot->densities[r];
    case MaxActivation:
        return m_snapshot->maxActivations[r];
    case Purity:
        return m_snapshot->purities[r] >= 0.0 ? m_snapshot->purities[r] : kNaN;
    case Coherence:
        return m_snapshot->coherences[r] >= -0.5 ? m_snapshot->coherences[r] : kNaN;
    case BestMatch:
        return m_snapshot->bestTrue[r] >= 0 ? double(m_snapshot->bestTrueCosine[r]) : kNaN;
    default:
        return kNaN;
    }
}

QString FeatureTableModel::formatDensity(double density)
{
    if (density <= 0.0)
        return QStringLiteral("dead");
    if (density >= 0.001)
        return QStringLiteral("%1 %").arg(100.0 * density, 0, 'f', density >= 0.1 ? 1 : 2);
    return QStringLiteral("%1 %").arg(100.0 * density, 0, 'e', 1);
}

QVariant FeatureTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || !m_snapshot)
        return {};
    const int row = index.row();
    const double v = value(row, index.column());
    if (role == SortRole)
        return v;
    if (role == Qt::TextAlignmentRole)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ForegroundRole && index.column() == Density && v <= 0.0)
        return QColor(160, 160, 160);
    if (role == Qt::ToolTipRole && index.column() == BestMatch && std::isfinite(v))
        return tr("Closest true feature: %1 (cosine %2)").arg(m_snapshot->bestTrue[std::size_t(row)]).arg(v, 0, 'f', 3);
    if (role != Qt::DisplayRole)
        return {};
    if (!std::isfinite(v))
        return QStringLiteral("–");
    switch (index.column()) {
    case Index:
        return row;
    case Density:
        return formatDensity(v);
    case MaxActivation:
        return QString::number(v, 'g', 3);
    case Purity:
    case Coherence:
        return QString::number(v, 'f', 2);
    case BestMatch:
        return QStringLiteral("%1 #%2").arg(v, 0, 'f', 3).arg(m_snapshot->bestTrue[std::size_t(row)]);
    default:
        return {};
    }
}

QVariant FeatureTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case Index:
            return tr("Feature");
        case Density:
            return tr("Density");
        case MaxActivation:
            return tr("Max act.");
        case Purity:
            return tr("Purity");
        case Coherence:
            return tr("Coherence");
        case BestMatch:
            return tr("True match");
        default:
            return {};
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case Index:
            return tr("SAE feature (latent) index");
        case Density:
            return tr("Fraction of evaluation inputs on which the feature is active (dead = never)");
        case MaxActivation:
            return tr("Largest activation over the evaluation inputs");
        case Purity:
            return tr("Label purity: 1 − normalised entropy of the labels of the top-20 examples (needs labels and "
                      "at least 20 active examples)");
        case Coherence:
            return tr("Mean pairwise cosine of the top-20 inputs (images when available)");
        case BestMatch:
            return tr("Best cosine between this decoder direction and a true feature (#index); ground-truth sources "
                      "only");
        default:
            return {};
        }
    }
    return {};
}
