#pragma once

#include "FeatureSnapshot.h"

#include <QAbstractTableModel>

#include <memory>

// One row per SAE feature of a snapshot: index, density, max activation, label purity, coherence, best match with a
// true feature. Display text is formatted for reading; Qt::UserRole gives the number to sort and filter by (NaN for
// "undefined", sorted last). A new snapshot of the same size updates the cells in place (selection and sort survive).
class FeatureTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Index, Density, MaxActivation, Purity, Coherence, BestMatch, ColumnCount };
    static constexpr int SortRole = Qt::UserRole;

    explicit FeatureTableModel(QObject* parent = nullptr);

    void setSnapshot(std::shared_ptr<const FeatureSnapshot> snapshot);
    const FeatureSnapshot* snapshot() const { return m_snapshot.get(); }

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // The value of a cell as sorted/filtered (NaN when undefined).
    double value(int row, int column) const;
    static QString formatDensity(double density);

private:
    std::shared_ptr<const FeatureSnapshot> m_snapshot;
};
