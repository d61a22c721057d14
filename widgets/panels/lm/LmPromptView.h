#pragma once

#include <QWidget>

#include <Eigen/Core>

#include <memory>
#include <vector>

class BackgroundJob;
class LmDashboardData;
class QLabel;
class QLineEdit;
class QTableWidget;
class TokenContextView;

// Search by text (Neuronpedia's idea): type a prompt and see, per token, the three features that fire most strongly
// there with their activations; clicking one opens that feature's dashboard. The prompt runs through the model
// with the SAE's processing (BOS first when its cfg.json asks for it) as soon as the typing pauses. Above the table
// the prompt is shaded by the selected feature's activation on each token. The model runs in the background (a long
// prompt through GPT-2 takes seconds): typing while it runs queues the newest text, and a result is shown only if
// the data and the text are still the ones it was computed for.
class LmPromptView : public QWidget {
    Q_OBJECT
public:
    static constexpr int kFeaturesPerToken = 3;

    explicit LmPromptView(QWidget* parent = nullptr);
    ~LmPromptView() override;

    void setData(std::shared_ptr<const LmDashboardData> data);
    void setPrompt(const QString& text); // starts encoding at once
    QString prompt() const;
    bool isEncoding() const;
    // Blocks until the newest text has been encoded and shown (tests, figure export).
    void waitForEncoding();
    QTableWidget* table() const { return m_table; }
    QLineEdit* promptEdit() const { return m_prompt; }
    // The feature listed at a token row and rank (-1 when there is none).
    int featureAt(int row, int rank) const;
    // The feature whose activations shade the prompt (-1: none).
    void setFeature(int feature);
    TokenContextView* highlightView() const { return m_highlight; }

Q_SIGNALS:
    void featureClicked(int feature);

private:
    struct Encoding;
    void encode();
    void show(const Encoding& result);
    void showFeature();

    std::shared_ptr<const LmDashboardData> m_data;
    QLineEdit* m_prompt = nullptr;
    QLabel* m_note = nullptr;
    QTableWidget* m_table = nullptr;
    TokenContextView* m_highlight = nullptr;
    BackgroundJob* m_job = nullptr;
    // From start() until the job's finished signal (its result may still be queued after the work returned).
    bool m_busy = false;
    bool m_pending = false; // the text or data changed while the job ran: encode again when it ends
    Eigen::MatrixXf m_codes;     // d_sae x tokens shown
    std::vector<int> m_shownIds; // the prompt's tokens, BOS first when prepended
    int m_feature = -1;
};
