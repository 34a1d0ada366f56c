"""Machine learning on labelloop projects: features, training, prediction, active learning.

scikit-learn and MLflow are imported inside the functions that use them, so importing
these modules (and with them the API and the CLI) stays fast.
"""
