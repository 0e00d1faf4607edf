"""Datapoints of the local metrics source, in the shape CloudWatch returns them."""
