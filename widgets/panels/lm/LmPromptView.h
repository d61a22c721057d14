#pragma once

#include <QWidget>

#include <memory>

class LmDashboardData;
class QLabel;
class QLineEdit;
class QTableWidget;

// Search by text (Neuronpedia's idea): type a prompt and see, per token, the three features that fire most strongly
// there with their activations; clicking one opens that feature's dashboard. The prompt runs through the model
// with the SAE's processing (BOS first when its cfg.json asks for it) as soon as the typing pauses.
class LmPromptView : public QWidget {
    Q_OBJECT
public:
    static constexpr int kFeaturesPerToken = 3;

    explicit LmPromptView(QWidget* parent = nullptr);

    void setData(std::shared_ptr<const LmDashboardData> data);
    void setPrompt(const QString& text); // encodes at once
    QString prompt() const;
    QTableWidget* table() const { return m_table; }
    QLineEdit* promptEdit() const { return m_prompt; }
    // The feature listed at a token row and rank (-1 when there is none).
    int featureAt(int row, int rank) const;

Q_SIGNALS:
    void featureClicked(int feature);

private:
    void encode();

    std::shared_ptr<const LmDashboardData> m_data;
    QLineEdit* m_prompt = nullptr;
    QLabel* m_note = nullptr;
    QTableWidget* m_table = nullptr;
};
