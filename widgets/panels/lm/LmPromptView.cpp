#include "LmPromptView.h"

#include "LmDashboardData.h"
#include "common/BackgroundJob.h"
#include "common/InputError.h"
#include "lm/LanguageModel.h"
#include "panels/features/TokenContextView.h"

#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <numeric>

LmPromptView::LmPromptView(QWidget* parent) : QWidget(parent)
{
    m_prompt = new QLineEdit(this);
    m_prompt->setObjectName(QStringLiteral("lmPrompt"));
    m_prompt->setPlaceholderText(tr("Type a prompt: which features fire on each of its tokens?"));
    m_prompt->setToolTip(tr("Runs through the model with the SAE's processing as you type; Return runs it at once"));
    m_prompt->setClearButtonEnabled(true);
    m_note = new QLabel(this);
    m_note->setWordWrap(true);
    m_note->setStyleSheet(QStringLiteral("color: palette(mid);"));
    m_table = new QTableWidget(0, 1 + kFeaturesPerToken, this);
    m_table->setObjectName(QStringLiteral("lmPromptTable"));
    m_table->setHorizontalHeaderLabels({tr("Token"), tr("Strongest"), tr("Second"), tr("Third")});
    m_table->verticalHeader()->setDefaultSectionSize(20);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setMinimumSectionSize(60);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setToolTip(tr("Per token, the three features with the largest activations; click one to open its "
                           "dashboard"));

    m_highlight = new TokenContextView(this);
    m_highlight->setObjectName(QStringLiteral("lmPromptHighlight"));
    m_highlight->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Minimum);
    m_highlight->setToolTip(tr("The prompt shaded by the selected feature's activation on each token; its strongest "
                               "token framed"));

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_prompt);
    layout->addWidget(m_note);
    layout->addWidget(m_highlight);
    layout->addWidget(m_table, 1);

    auto* timer = new QTimer(this);
    timer->setSingleShot(true);
    timer->setInterval(250);
    connect(timer, &QTimer::timeout, this, &LmPromptView::encode);
    connect(m_prompt, &QLineEdit::textEdited, timer, qOverload<>(&QTimer::start));
    connect(m_prompt, &QLineEdit::returnPressed, this, [this, timer] {
        timer->stop();
        encode();
    });
    connect(m_table, &QTableWidget::cellClicked, this, [this](int row, int column) {
        const int feature = featureAt(row, column - 1);
        if (feature >= 0)
            Q_EMIT featureClicked(feature);
    });
    m_job = new BackgroundJob(tr("Running the prompt"), this);
    connect(m_job, &BackgroundJob::finished, this, [this](BackgroundJob::Outcome outcome, const QString& message) {
        m_busy = false;
        if (outcome == BackgroundJob::Outcome::Failed)
            m_note->setText(message);
        if (m_pending) {
            m_pending = false;
            encode();
        }
    });
    m_prompt->setText(QStringLiteral("The quick brown fox jumps over the lazy dog."));
}

LmPromptView::~LmPromptView() { m_job->abandon(); }

// What one run of the prompt produced, computed on the job's thread.
struct LmPromptView::Encoding {
    std::shared_ptr<const LmDashboardData> data;
    QString text;
    std::vector<int> shownIds; // BOS first when prepended
    Eigen::MatrixXf codes;     // d_sae x shownIds
    std::size_t promptTokens = 0;
    bool bos = false;
    bool cut = false;
    QString note; // instead of a result: why there is none
};

void LmPromptView::setData(std::shared_ptr<const LmDashboardData> data)
{
    m_data = std::move(data);
    encode();
}

void LmPromptView::setPrompt(const QString& text)
{
    m_prompt->setText(text);
    encode();
}

QString LmPromptView::prompt() const { return m_prompt->text(); }

int LmPromptView::featureAt(int row, int rank) const
{
    if (rank < 0 || rank >= kFeaturesPerToken || row < 0 || row >= m_table->rowCount())
        return -1;
    const QTableWidgetItem* item = m_table->item(row, rank + 1);
    return item && item->data(Qt::UserRole).isValid() ? item->data(Qt::UserRole).toInt() : -1;
}

void LmPromptView::setFeature(int feature)
{
    m_feature = feature;
    showFeature();
}

void LmPromptView::showFeature()
{
    const bool valid = m_feature >= 0 && m_feature < m_codes.rows() && m_codes.cols() == Eigen::Index(m_shownIds.size()) &&
                       !m_shownIds.empty();
    if (!valid) {
        m_highlight->setTitle(tr("Select a feature to see it on the prompt"));
        m_highlight->setRows({}, 1.0f);
        return;
    }
    TokenContextView::Row row;
    Eigen::Index strongest = 0;
    row.value = m_codes.row(m_feature).maxCoeff(&strongest);
    row.centre = int(strongest);
    for (std::size_t t = 0; t < m_shownIds.size(); ++t)
        row.tokens.push_back({m_data->token(m_shownIds[t]), m_codes(m_feature, Eigen::Index(t)), true});
    row.toolTip = tr("Feature %1: strongest on token %2 (%3)").arg(m_feature).arg(strongest).arg(double(row.value), 0, 'g', 4);
    m_highlight->setTitle(row.value > 0.0f ? tr("Feature %1 on the prompt").arg(m_feature)
                                           : tr("Feature %1 is silent on this prompt").arg(m_feature));
    const float scale = std::max(row.value, 1e-6f);
    m_highlight->setRows({std::move(row)}, scale);
}

bool LmPromptView::isEncoding() const { return m_busy || m_pending; }

void LmPromptView::waitForEncoding()
{
    while (isEncoding())
        m_job->waitForFinished(); // its finished signal starts the queued run, if any
}

void LmPromptView::encode()
{
    if (m_busy) {
        m_pending = true;
        return;
    }
    if (!m_data) {
        Encoding none;
        none.note = tr("Scan first: the prompt view uses the scanned model and SAE.");
        show(none);
        return;
    }
    m_note->setText(tr("Running the prompt…"));
    auto data = m_data;
    const QString text = m_prompt->text();
    m_busy = true;
    m_job->start([this, data, text](const featurescope::ProgressReporter&) {
        Encoding result;
        result.data = data;
        result.text = text;
        const featurescope::LanguageModel& lm = data->model();
        std::vector<int> ids = lm.tokenizer().encode(text.toStdString());
        result.bos = data->dashboard().processing().prependBos;
        const int room = lm.model().config().positions - (result.bos ? 1 : 0);
        result.cut = int(ids.size()) > room;
        if (result.cut)
            ids.resize(std::size_t(room));
        result.promptTokens = ids.size();
        if (ids.empty()) {
            result.note = tr("Type some text.");
        } else {
            try {
                result.codes = data->dashboard().encodeSequence(ids);
                result.shownIds = ids;
                if (result.bos)
                    result.shownIds.insert(result.shownIds.begin(), *lm.tokenizer().bosId());
            } catch (const featurescope::InputError& error) {
                result.note = QString::fromStdString(error.what());
            }
        }
        m_job->deliver([this, result = std::move(result)] {
            if (result.data == m_data && result.text == m_prompt->text())
                show(result);
            else
                m_pending = true; // stale: the finished handler runs the newest text
        });
    });
}

void LmPromptView::show(const Encoding& result)
{
    m_codes.resize(0, 0);
    m_shownIds.clear();
    m_table->setRowCount(0);
    if (!result.note.isEmpty() || result.shownIds.empty()) {
        showFeature();
        m_note->setText(result.note);
        return;
    }
    const Eigen::MatrixXf& codes = result.codes;
    const std::vector<int>& shownIds = result.shownIds;
    const float scale = std::max(codes.maxCoeff(), 1e-6f);
    m_table->setRowCount(int(shownIds.size()));
    std::vector<int> order(std::size_t(codes.rows()));
    for (int t = 0; t < int(shownIds.size()); ++t) {
        auto* token = new QTableWidgetItem(LmDashboardData::visible(m_data->token(shownIds[std::size_t(t)])));
        token->setToolTip(tr("Token %1 (id %2)").arg(t).arg(shownIds[std::size_t(t)]));
        m_table->setItem(t, 0, token);
        std::iota(order.begin(), order.end(), 0);
        const int k = std::min<int>(kFeaturesPerToken, int(order.size()));
        std::partial_sort(order.begin(), order.begin() + k, order.end(),
                          [&](int a, int b) { return codes(a, t) > codes(b, t) || (codes(a, t) == codes(b, t) && a < b); });
        for (int r = 0; r < k; ++r) {
            const int f = order[std::size_t(r)];
            const float value = codes(f, t);
            if (value <= 0.0f)
                break;
            auto* item = new QTableWidgetItem(QStringLiteral("#%1   %2").arg(f).arg(double(value), 0, 'g', 3));
            item->setData(Qt::UserRole, f);
            item->setBackground(TokenContextView::shade(value, scale));
            item->setToolTip(tr("Feature %1 fires at %2 on this token; click to open it").arg(f).arg(double(value), 0, 'g', 4));
            m_table->setItem(t, r + 1, item);
        }
    }
    m_codes = codes;
    m_shownIds = shownIds;
    showFeature();
    m_note->setText(tr("%1 tokens%2%3; cells shaded by activation relative to the prompt's largest (%4).")
                        .arg(result.promptTokens)
                        .arg(result.bos ? tr(" after BOS") : QString())
                        .arg(result.cut ? tr(" (cut to the model's context)") : QString())
                        .arg(double(scale), 0, 'g', 3));
}
