#pragma once

#include "math/Sgemm.h"
#include "sae/SaeConfig.h"
#include "sae/SparseAutoencoder.h"
#include "sae/TopKSelector.h"

#include <Eigen/Core>

#include <utility>
#include <vector>

namespace featurescope {

// The parts of one batch's loss.
struct SaeLossTerms {
    double loss = 0.0;     // mse + penalty
    double mse = 0.0;      // mean over batch and input dimensions of (x̂ − x)², scaled units
    double penalty = 0.0;  // λ · mean over batch of Σ_i |f_i| (· ‖W_dec,i‖ for the 2024 variant)
    double auxLoss = 0.0;  // TopK's AuxK loss (0 without dead latents)
    double prefixLoss = 0.0; // Matryoshka: the inner prefixes' reconstruction losses, summed (scaled units)
    double l0 = 0.0;       // mean number of active features per input
    bool sparsePath = false;
};

// Loss and exact gradient of an SAE on a batch of scaled inputs X (d_in x batch):
//     L = (1 / (B·d_in)) Σ ‖x̂ − x‖² + (λ / B) Σ_s Σ_i f_si (· ‖W_dec,i‖ for 2024)
// (the reference trainer's convention), plus for TopK and BatchTopK with dead latents (setDeadLatents) the AuxK loss
//     L_aux = α · min(n_dead / k_aux, 1) · (1 / (B·d_in)) Σ_s ‖W_dec a_s − e_s‖²,
// where e_s = x_s − x̂_s is the residual (held constant: no gradient flows through it), a_s keeps the k_aux =
// d_in/2 largest pre-activations among the dead latents (not ReLU'd, as in SAELens) and α = SaeConfig::auxK.
// Matryoshka adds, for each inner prefix width w (all but the last, d_sae), (1 / (B·d_in)) Σ ‖x̂_w − x‖² with x̂_w
// decoded from latents 0..w-1 only. docs/ARCHITECTURE.md §5. Two implementations of the same arithmetic: dense GEMMs, and loops over
// the active (sample, feature) pairs found after the encoder GEMM, which skip the zero codes in the decoder and in
// every gradient product. SaeComputePath::Automatic picks the sparse one below kSparseBelowDensity active codes.
class SaeLossKernel {
public:
    static constexpr double kSparseBelowDensity = 0.45;

    SaeLossKernel(const SaeConfig& config, SaeComputePath path = SaeComputePath::Automatic);

    // `gradient` (nullable) receives dL/dparameters in SparseAutoencoder's flat layout. `l1` is the effective λ
    // (the trainer warms it up for the 2024 variant).
    SaeLossTerms evaluate(const SparseAutoencoder& sae, const Eigen::MatrixXf& X, double l1, float* gradient);
    // TopK with auxK > 0: the latents counted as dead (ascending indices; the list must outlive the evaluate()
    // calls); n_dead is its size. Empty or null: no AuxK loss.
    void setDeadLatents(const std::vector<int>* dead) { m_dead = dead; }
    // Per-input normalisation (SaeInputNormalizer): the decoder's target t (null: the inputs themselves) and a weight
    // w_s per input on every reconstruction term (null: 1), so that the loss is in the inputs' own units. Both must
    // outlive the evaluate() calls and match the batch.
    void setReconstructionTarget(const Eigen::MatrixXf* target, const Eigen::VectorXf* weights)
    {
        m_target = target;
        m_weights = weights;
    }

    // After evaluate(): for each feature, how many inputs of the batch activated it.
    const std::vector<int>& fireCounts() const { return m_fireCount; }
    // After evaluate() for BatchTopK: the smallest activation kept in the batch (−1 when none was).
    float batchMinActive() const { return m_batchMinActive; }
    // After evaluate(): ‖x̂ − x‖² per input (scaled units).
    Eigen::VectorXf sampleSquaredErrors() const;

    SaeComputePath path() const { return m_path; }
    void setPath(SaeComputePath path) { m_path = path; }
    // Floating-point operations of one evaluate() with gradient counted as dense GEMMs (encoder, decoder, three
    // gradient products), for FLOP/s reports.
    static double denseFlopsPerStep(int inputDim, int latentDim, int batch);

private:
    void prepareLists(int batch);
    void extractActive(const SparseAutoencoder& sae, int first, int count);
    void denseBackward(const SparseAutoencoder& sae, const Eigen::MatrixXf& encoderInput, float* gradient,
                       double* penaltySum);
    void selectBatchTopK(int batch);
    void applySampleWeights(Eigen::VectorXf* gSum);
    double jumpReluSparsity(const SparseAutoencoder& sae, double l1) const;
    void jumpReluBackward(const SparseAutoencoder& sae, double l1, float c, float* gradient);
    void selectAuxLatents(int first, int count);
    double matryoshkaPrefixes(const SparseAutoencoder& sae, const Eigen::MatrixXf& encoderInput, float* gradient);
    double auxForwardBackward(const SparseAutoencoder& sae, const Eigen::MatrixXf& encoderInput, float* gradient);
    void sparseForwardBackward(const SparseAutoencoder& sae, const Eigen::MatrixXf& encoderInput, float* gradient,
                               double* penaltySum);

    SaeConfig m_config;
    SaeComputePath m_path;
    TopKSelector m_topK;
    // Work space, reused between calls.
    Eigen::MatrixXf m_residualTarget; // r = x − b_dec (the decoder's target without bias)
    Eigen::MatrixXf m_pre;            // pre-activations; dense codes F on the dense path
    Eigen::MatrixXf m_G;              // x̂ − x
    Eigen::MatrixXf m_dF;             // dense path: dL/dpre
    Eigen::VectorXf m_decoderNorms;
    Eigen::VectorXf m_featurePenalty; // dL/df_i from the penalty, per feature
    std::vector<int> m_rowStart;      // active pairs of sample s: [m_rowStart[s], m_rowStart[s+1])
    std::vector<int> m_activeFeature;
    std::vector<float> m_activeValue;
    std::vector<int> m_colStart;      // the same pairs by feature: [m_colStart[i], m_colStart[i+1])
    std::vector<int> m_colSample;
    std::vector<float> m_colValue;
    std::vector<int> m_cursor;
    std::vector<int> m_fireCount;
    std::vector<double> m_codeSum;    // Σ_s f_si per feature (2024 penalty gradient)
    std::vector<float> m_dpreScratch; // wide inputs: dL/dpre of one latent's active codes
    Sgemm::PackedMatrix m_packedEncoder; // W_enc^T in the matrix kernel's layout, packed once per evaluation
    std::vector<float> m_batchValues; // BatchTopK: the batch's positive pre-activations, partially sorted
    float m_batchMinActive = -1.0f;
    Eigen::VectorXf m_theta;          // JumpReLU: exp(log θ)
    Eigen::MatrixXf m_rawPre;         // JumpReLU: pre-activations (dense path)
    const Eigen::MatrixXf* m_target = nullptr;  // per-input normalisation: the decoder's target
    const Eigen::VectorXf* m_weights = nullptr; // and each input's weight
    Eigen::MatrixXf m_encoderInput;   // x − b_dec when the target differs from the inputs
    Eigen::MatrixXf m_auxResidual;    // x̂ − t before weighting, for AuxK
    Eigen::VectorXf m_weightedErrors; // w_s ‖x̂_s − t_s‖²
    std::vector<int> m_innerWidths;   // Matryoshka: the prefix widths below d_sae
    Eigen::MatrixXf m_levelResidual;  // Matryoshka: one input's x̂_w − x per inner prefix, then their suffix sums
    double m_l1 = 0.0;                // the λ of the current evaluate()
    // AuxK: the dead latents, and per sample the k_aux chosen ones (indices and pre-activations, kAux per sample).
    const std::vector<int>* m_dead = nullptr;
    int m_auxK = 0;
    std::vector<int> m_auxFeature;
    std::vector<float> m_auxValue;
    std::vector<std::pair<float, int>> m_auxScratch;
};

} // namespace featurescope
