#pragma once

#include <QAbstractTableModel>

#include <memory>

class LmDashboardData;

// The features of a scanned LM dashboard as table rows (row = feature index): index, density, max activation and
// the top logit tokens. Sorting uses Qt::UserRole (numbers); display text is formatted for reading.
class LmFeatureTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Index, Density, MaxActivation, TopLogits, ColumnCount };

    explicit LmFeatureTableModel(QObject* parent = nullptr);

    void setData(std::shared_ptr<const LmDashboardData> data);
    const LmDashboardData* dashboardData() const { return m_data.get(); }

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::shared_ptr<const LmDashboardData> m_data;
};
